using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using VisionAgent.Imaging.Tensors;
using VisionAgent.Onnx;
using VisionAgent.Testing;
using VisionAgent.Testing.Onnx;

namespace VisionAgent.Plugins.Caption.Tests;

public sealed class CaptionInputsTests : IDisposable
{
    private readonly TestExpertHost _host = new TestExpertHost().AddService(new OnnxSessionPool());

    [Fact]
    public void Preprocessor_config_sets_size_mean_std_and_resampling()
    {
        var path = _host.PathFor("preprocessor_config.json");
        File.WriteAllText(path, """
            { "do_normalize": true, "do_resize": true, "feature_extractor_type": "ViTFeatureExtractor",
              "image_mean": [0.485, 0.456, 0.406], "image_std": [0.229, 0.224, 0.225], "resample": 3,
              "rescale_factor": 0.00392156862745098, "size": { "height": 384, "width": 320 } }
            """);

        var options = CaptionConfiguration.ReadPreprocessing(path, new NormalizationOptions());

        Assert.Equal((320, 384), (options.Width, options.Height));
        Assert.Equal([0.485f, 0.456f, 0.406f], options.Mean);
        Assert.Equal([0.229f, 0.224f, 0.225f], options.Std);
        Assert.Equal(3, options.Resample);
    }

    [Fact]
    public void Vit_defaults_apply_without_a_preprocessor_config()
    {
        var options = CaptionConfiguration.ReadPreprocessing(null, new NormalizationOptions());

        Assert.Equal((224, 224), (options.Width, options.Height));
        Assert.Equal([0.5f, 0.5f, 0.5f], options.Mean);
    }

    [Fact]
    public void Config_json_gives_special_tokens_from_its_decoder_section()
    {
        var path = _host.PathFor("config.json");
        File.WriteAllText(path, """{ "decoder": { "bos_token_id": 7, "eos_token_id": 8, "vocab_size": 50257 }, "decoder_start_token_id": 9 }""");

        var options = CaptionConfiguration.ReadGeneration(path, null, new GenerationOptions());

        Assert.Equal(9, options.DecoderStartTokenId);
        Assert.Equal([8], options.EosTokenIds);
        Assert.Equal(50257, CaptionConfiguration.ReadVocabularySize(path));
    }

    [Fact]
    public void Normalised_tensor_is_planar_rgb_scaled_by_mean_and_std()
    {
        using var image = new Image<Rgb24>(2, 1);
        image[0, 0] = new Rgb24(255, 0, 51);
        image[1, 0] = new Rgb24(0, 255, 102);

        var tensor = NormalizedTensor.Create(image, new NormalizationOptions { Width = 2, Height = 1 });

        Assert.Equal([1f, -1f, -1f, 1f, -0.6f, -0.2f], tensor.Select(v => MathF.Round(v, 4)));
    }

    [Fact]
    public void Letterbox_tensor_pads_with_grey_and_keeps_the_aspect()
    {
        using var image = new Image<Rgb24>(4, 2, new Rgb24(255, 0, 0));

        var (tensor, geometry) = LetterboxTensor.Create(image, 8, 8);

        Assert.Equal((2f, 8, 4, 0, 2), (geometry.Scale, geometry.ResizedWidth, geometry.ResizedHeight, geometry.PadLeft, geometry.PadTop));
        var grey = 114f / 255f;
        Assert.Equal(grey, tensor[0]);                    // red plane, row 0: padding
        Assert.Equal(1f, tensor[(2 * 8) + 3]);            // red plane, row 2: image
        Assert.Equal(0f, tensor[64 + (2 * 8) + 3]);       // green plane, row 2: image
        Assert.Equal(grey, tensor[128 + (7 * 8) + 7]);    // blue plane, last row: padding
        Assert.Equal(3f, geometry.ToSourceX(6f));
        Assert.Equal(1f, geometry.ToSourceY(4f));
    }

    [Fact]
    public async Task Model_tokenizer_files_beside_the_encoder_are_used()
    {
        var folder = _host.PathFor("own-tokenizer");
        new VisionEncoderDecoderExport(CaptionScript.Sequence([1, 2], start: 3, eos: 3)).SaveAll(folder, withPast: true, merged: false);
        File.WriteAllText(Path.Combine(folder, "vocab.json"), """{ "!": 0, "a": 1, "Ġcat": 2, "<|endoftext|>": 3, "Ġ": 4, "c": 5, "t": 6, "Ġc": 7, "Ġca": 8 }""");
        File.WriteAllText(Path.Combine(folder, "merges.txt"), "#version: 0.2\nĠ c\nĠc a\nĠca t\n");
        File.WriteAllText(Path.Combine(folder, "config.json"), """{ "decoder_start_token_id": 3, "eos_token_id": 3 }""");
        _host.Models.Add("caption", "encoder", Path.Combine(folder, "encoder_model.onnx"))
            .Add("caption", "decoder", Path.Combine(folder, "decoder_model.onnx"))
            .Add("caption", "decoder_with_past", Path.Combine(folder, "decoder_with_past_model.onnx"));
        var manifest = VisionAgent.Abstractions.ExpertManifestReader.ReadEmbedded(typeof(CaptionExpertModule).Assembly);
        var plugin = (CaptionPlugin)new CaptionExpertModule().CreatePlugin(_host.CreateContext(manifest));
        var image = _host.Images.AddInput(RepositoryPaths.SampleImage("coins.png"));

        var report = (CaptionReport)(await plugin.CaptionAsync(image.Handle, num_beams: 1)).Data!;

        Assert.Equal("a cat", report.Caption);
        Assert.Equal("vocab.json", report.Tokenizer);
    }

    public void Dispose() => _host.Dispose();
}
