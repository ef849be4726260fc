using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using VisionAgent.Abstractions;
using VisionAgent.Imaging;
using VisionAgent.Imaging.Masks;
using VisionAgent.Testing;

namespace VisionAgent.Plugins.Segment.Tests;

public sealed class SegmentExpertTests : IDisposable
{
    private readonly TestExpertHost _host = new();

    [Fact]
    public void Manifest_runs_isnet_with_the_measured_cpu_settings()
    {
        var options = SegmentSettings.From(_host.CreateContext(SegmentTestSupport.Manifest)).IsnetSession;

        Assert.Equal(
            (Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_ENABLE_ALL, false, false, false, true, true, true),
            (options.Optimization, options.MemoryArena, options.MemoryPattern, options.Spinning, options.WidenFloat16, options.CacheOptimized, options.CacheLayout));
    }

    [Fact]
    public void Manifest_lists_isnet_as_auto_fetched_default_and_sam_groups_as_optional()
    {
        var manifest = SegmentTestSupport.Manifest;

        var isnet = manifest.FindModel("isnet")!;
        Assert.True(isnet.AutoFetch);
        Assert.Equal(88_188_479, isnet.Size);
        Assert.Equal("/models/medium", isnet.Sources.Single().ChunkKey);
        foreach (var name in new[] { "mobilesam_encoder", "mobilesam_decoder", "sam_vit_b_encoder", "sam_vit_b_decoder" })
        {
            var spec = manifest.FindModel(name)!;
            Assert.False(spec.Required);
            Assert.False(spec.AutoFetch);
            Assert.NotEmpty(spec.Sources);
            Assert.All(spec.Sources, source => Assert.StartsWith("https://", source.Url, StringComparison.Ordinal));
        }
        var small = manifest.FindModel("isnet_small")!;
        Assert.Equal((false, false, "isnet_small"), (small.Required, small.AutoFetch, small.Group));
        Assert.Equal("/models/small", small.Sources.Single().ChunkKey);
        Assert.Contains(manifest.Routing, r => r.After.Contains("detect") && r.Keywords.Contains("select the"));
    }

    [Fact]
    public async Task Isnet_mask_is_resized_back_and_written_as_mask_cutout_and_overlay()
    {
        var (plugin, input) = IsnetOnHalfRed("half.png", 200, 100);

        var result = await plugin.SegmentAsync(input.Handle);

        var data = Assert.IsType<SegmentationResult>(result.Data);
        Assert.Equal("isnet", data.Backend);
        Assert.Equal(50.0, data.AreaPercent);
        Assert.Equal(new PixelBox(0, 0, 100, 100), data.Box);
        Assert.Equal(1, data.RegionCount);
        Assert.Equal(["mask", "cutout", "overlay"], result.Images.Select(i => i.Kind));
        Assert.All(result.Images, i => Assert.Equal((200, 100, input.Handle), (i.Width, i.Height, i.Parent)));
        Assert.Contains("covers 50% of the image", result.Observation, StringComparison.Ordinal);
        Assert.Contains($"Mask {data.MaskHandle}, cut-out {data.CutoutHandle}, overlay {data.OverlayHandle}", result.Observation, StringComparison.Ordinal);

        var mask = MaskFiles.LoadMask(_host.Images.Get(data.MaskHandle!).Path, new ImageLoader());
        var cutoutAlpha = MaskFiles.LoadMask(_host.Images.Get(data.CutoutHandle!).Path, new ImageLoader(), MaskChannel.Alpha);
        var expected = new BinaryMask(200, 100, Enumerable.Range(0, 200 * 100).Select(i => i % 200 < 100 ? (byte)255 : (byte)0).ToArray());
        Assert.Equal(1.0, mask.IntersectionOverUnion(expected));
        Assert.Equal(1.0, cutoutAlpha.IntersectionOverUnion(expected));
        using var cutout = new ImageLoader().Load<Rgba32>(_host.Images.Get(data.CutoutHandle!).Path);
        Assert.Equal(new Rgba32(255, 0, 0, 255), cutout[10, 10]);
        Assert.Equal(0, cutout[150, 10].A);
        using var overlay = new ImageLoader().LoadRgb(_host.Images.Get(data.OverlayHandle!).Path);
        Assert.Equal(new Rgb24(0, 255, 0), overlay[150, 50]);          // outside: untouched
        Assert.NotEqual(new Rgb24(255, 0, 0), overlay[50, 50]);         // inside: tinted
        Assert.Equal(MaskOverlayStyle.Default.Outline, overlay[99, 50]); // edge: outlined
    }

    [Fact]
    public async Task Outputs_mask_writes_only_the_mask()
    {
        var (plugin, input) = IsnetOnHalfRed("half.png", 60, 40);

        var result = await plugin.SegmentAsync(input.Handle, outputs: "mask");
        var two = await plugin.SegmentAsync(input.Handle, outputs: "mask, overlay");

        var data = Assert.IsType<SegmentationResult>(result.Data);
        Assert.Equal(["mask"], result.Images.Select(i => i.Kind));
        Assert.Null(data.CutoutHandle);
        Assert.Null(data.OverlayHandle);
        Assert.EndsWith($"Mask {data.MaskHandle}.", result.Observation, StringComparison.Ordinal);
        Assert.DoesNotContain("cut-out", result.Observation, StringComparison.Ordinal);
        Assert.Equal(["mask", "overlay"], two.Images.Select(i => i.Kind));
        var error = await Assert.ThrowsAsync<BadInputException>(() => plugin.SegmentAsync(input.Handle, outputs: "mask,thumbnail"));
        Assert.Contains("mask, cutout and overlay", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Image_larger_than_the_model_input_gets_a_full_size_mask_cutout_and_overlay()
    {
        var (plugin, input) = IsnetOnHalfRed("large.png", 2600, 1100);

        var result = await plugin.SegmentAsync(input.Handle);

        var data = Assert.IsType<SegmentationResult>(result.Data);
        Assert.Equal(new PixelBox(0, 0, 1300, 1100), data.Box);
        Assert.Equal(1300 * 1100, data.AreaPixels);
        var cutout = MaskFiles.LoadMask(_host.Images.Get(data.CutoutHandle!).Path, new ImageLoader(), MaskChannel.Alpha);
        Assert.Equal(1.0, cutout.IntersectionOverUnion(MaskFiles.LoadMask(_host.Images.Get(data.MaskHandle!).Path, new ImageLoader())));
        using var overlay = new ImageLoader().LoadRgb(_host.Images.Get(data.OverlayHandle!).Path);
        Assert.Equal((2600, 1100), (overlay.Width, overlay.Height));
        Assert.Equal(MaskOverlayStyle.Default.Outline, overlay[1299, 500]);
        Assert.Equal(new Rgb24(0, 255, 0), overlay[2000, 500]);
    }

    [Fact]
    public async Task Sam_masks_of_an_image_larger_than_the_frame_are_decoded_at_the_frame_and_upsampled()
    {
        AddSam(TinySegmentModels.NchwEncoder(_host.PathFor("enc.onnx")), TinySegmentModels.RampDecoder(_host.PathFor("dec.onnx")));
        var input = _host.Images.AddInput(SegmentTestSupport.HalfRed(_host, "wide-ramp.png", 2048, 256));
        var plugin = SegmentTestSupport.Plugin(_host);

        var data = Assert.IsType<SegmentationResult>((await plugin.SegmentAsync(input.Handle, point: "1500,100")).Data);

        // The ramp runs over the 1024-wide frame (logit x - 100); sampled back at x/2 - 0.25 it passes 0 after x = 200.5.
        Assert.Equal(new PixelBox(201, 0, 2048, 256), data.Box);
    }

    [Fact]
    public async Task A_strip_wider_than_the_default_limit_is_segmented_when_the_hosts_limits_allow_it()
    {
        using var host = new TestExpertHost(WideStrip.Limits);
        host.Models.Add("segment", "isnet", TinySegmentModels.Isnet(host.PathFor("isnet.onnx")));
        var input = host.Images.AddInput(WideStrip.Write(host.PathFor("strip.png")));
        var plugin = SegmentTestSupport.Plugin(host);

        var result = await plugin.SegmentAsync(input.Handle);

        var data = Assert.IsType<SegmentationResult>(result.Data);
        Assert.Equal(50.0, data.AreaPercent, 1);
        Assert.All(result.Images, i => Assert.Equal((WideStrip.Width, WideStrip.Height), (i.Width, i.Height)));
    }

    [Fact]
    public async Task Higher_threshold_can_empty_the_mask_and_says_so_without_images()
    {
        _host.Models.Add("segment", "isnet", TinySegmentModels.Isnet(_host.PathFor("isnet.onnx")));
        var input = _host.Images.AddInput(SegmentTestSupport.WriteImage(_host, "dim.png", 64, 32, (_, _) => new Rgb24(150, 0, 0)));
        var plugin = SegmentTestSupport.Plugin(_host);

        var loose = await plugin.SegmentAsync(input.Handle, threshold: 0.5);
        var strict = await plugin.SegmentAsync(input.Handle, threshold: 0.7);

        Assert.Equal(100.0, Assert.IsType<SegmentationResult>(loose.Data).AreaPercent);
        Assert.Empty(strict.Images);
        Assert.Contains("is empty", strict.Observation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sam_prompt_reaches_the_decoder_in_the_resized_frame_and_the_mask_has_the_original_size()
    {
        AddSam(TinySegmentModels.NchwEncoder(_host.PathFor("enc.onnx")), TinySegmentModels.EchoDecoder(_host.PathFor("dec.onnx")));
        var input = _host.Images.AddInput(SegmentTestSupport.HalfRed(_host, "wide.png", 451, 300));
        var plugin = SegmentTestSupport.Plugin(_host);

        var result = await plugin.SegmentAsync(input.Handle, point: "100,50", negative_point: "400,250");

        var data = Assert.IsType<SegmentationResult>(result.Data);
        Assert.Equal(("sam", "mobilesam"), (data.Backend, data.Model));
        var echo = data.IouPredictions!;
        double sx = 1024.0 / 451, sy = 681.0 / 300;
        float[] expected = [(float)(100 * sx), (float)(50 * sy), (float)(400 * sx), (float)(250 * sy), 0, 0, 1, 0, -1];
        Assert.Equal(expected.Length, echo.Count);
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], echo[i], 3);
        Assert.Equal(100.0, data.AreaPercent);
        Assert.All(result.Images, i => Assert.Equal((451, 300), (i.Width, i.Height)));
    }

    [Fact]
    public async Task Box_and_detection_prompts_send_corner_labels_2_and_3()
    {
        AddSam(TinySegmentModels.NchwEncoder(_host.PathFor("enc.onnx")), TinySegmentModels.EchoDecoder(_host.PathFor("dec.onnx")));
        var input = _host.Images.AddInput(SegmentTestSupport.HalfRed(_host, "sq.png", 512, 256));
        var detection = _host.Images.AddRegion(input.Handle, "dog", 0.9f, new PixelBox(10, 20, 110, 220));
        var plugin = SegmentTestSupport.Plugin(_host);

        var byBox = Assert.IsType<SegmentationResult>((await plugin.SegmentAsync(input.Handle, box: "10,20,110,220")).Data);
        var byReference = Assert.IsType<SegmentationResult>((await plugin.SegmentAsync(detection.Reference)).Data);
        var byBoxReference = Assert.IsType<SegmentationResult>((await plugin.SegmentAsync(input.Handle, box: detection.Reference)).Data);

        float[] expected = [20, 40, 220, 440, 2, 3];
        Assert.Equal(expected, byBox.IouPredictions);
        Assert.Equal(expected, byReference.IouPredictions);
        Assert.Equal(expected, byBoxReference.IouPredictions);
        Assert.Contains(detection.Reference, byReference.Prompt, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Best_mask_by_predicted_iou_is_thresholded_at_the_logit_of_the_threshold()
    {
        AddSam(TinySegmentModels.NchwEncoder(_host.PathFor("enc.onnx")), TinySegmentModels.RampDecoder(_host.PathFor("dec.onnx")));
        var input = _host.Images.AddInput(SegmentTestSupport.HalfRed(_host, "ramp.png", 200, 100));
        var plugin = SegmentTestSupport.Plugin(_host);

        var atHalf = Assert.IsType<SegmentationResult>((await plugin.SegmentAsync(input.Handle, point: "150,50")).Data);
        var atNinety = Assert.IsType<SegmentationResult>((await plugin.SegmentAsync(input.Handle, point: "150,50", threshold: 0.9)).Data);

        Assert.Equal(0.8f, atHalf.PredictedIou);
        Assert.Equal(new PixelBox(101, 0, 200, 100), atHalf.Box);      // x - 100 > 0
        Assert.Equal(99 * 100, atHalf.AreaPixels);
        Assert.Equal(new PixelBox(103, 0, 200, 100), atNinety.Box);    // x - 100 > ln(9) = 2.197
    }

    [Fact]
    public async Task Second_prompt_on_the_same_image_reuses_the_embedding()
    {
        AddSam(TinySegmentModels.NchwEncoder(_host.PathFor("enc.onnx")), TinySegmentModels.EchoDecoder(_host.PathFor("dec.onnx")));
        var first = _host.Images.AddInput(SegmentTestSupport.HalfRed(_host, "a.png", 64, 48));
        var second = _host.Images.AddInput(SegmentTestSupport.HalfRed(_host, "b.png", 48, 64));
        var plugin = SegmentTestSupport.Plugin(_host);

        var one = Assert.IsType<SegmentationResult>((await plugin.SegmentAsync(first.Handle, point: "10,10")).Data);
        var two = Assert.IsType<SegmentationResult>((await plugin.SegmentAsync(first.Handle, box: "5,5,40,40")).Data);
        Assert.Equal(1, plugin.Sam.EncoderRuns);
        await plugin.SegmentAsync(second.Handle, point: "10,10");
        await plugin.SegmentAsync(first.Handle, point: "20,20");

        Assert.False(one.EmbeddingCached);
        Assert.True(two.EmbeddingCached);
        Assert.Equal(2, plugin.Sam.EncoderRuns);
        Assert.Equal(2, plugin.Sam.Cache.Count);
    }

    [Fact]
    public async Task Embedding_cache_is_bounded()
    {
        AddSam(TinySegmentModels.NchwEncoder(_host.PathFor("enc.onnx")), TinySegmentModels.EchoDecoder(_host.PathFor("dec.onnx")));
        var handles = Enumerable.Range(0, 3).Select(i => _host.Images.AddInput(SegmentTestSupport.HalfRed(_host, $"{i}.png", 32 + i, 32)).Handle).ToList();
        var plugin = SegmentTestSupport.Plugin(_host, new Dictionary<string, string> { ["embedding_cache_size"] = "2" });

        foreach (var handle in handles) await plugin.SegmentAsync(handle, point: "5,5");
        await plugin.SegmentAsync(handles[0], point: "6,6");

        Assert.Equal(4, plugin.Sam.EncoderRuns);
        Assert.Equal(2, plugin.Sam.Cache.Count);
    }

    [Fact]
    public async Task Encoder_sessions_unload_and_cached_embeddings_still_serve_prompts()
    {
        AddSam(TinySegmentModels.NchwEncoder(_host.PathFor("enc.onnx")), TinySegmentModels.EchoDecoder(_host.PathFor("dec.onnx")));
        var input = _host.Images.AddInput(SegmentTestSupport.HalfRed(_host, "u.png", 64, 48));
        var plugin = SegmentTestSupport.Plugin(_host);
        await plugin.SegmentAsync(input.Handle, point: "10,10");

        var unloaded = await plugin.UnloadEncodersAsync(CancellationToken.None);
        var again = Assert.IsType<SegmentationResult>((await plugin.SegmentAsync(input.Handle, point: "20,20")).Data);

        Assert.Equal(1, unloaded);
        Assert.True(again.EmbeddingCached);
        Assert.Equal(1, plugin.Sam.EncoderRuns);
    }

    [Fact]
    public async Task Hwc_encoder_gets_raw_interleaved_rgb_by_its_input_rank()
    {
        AddSam(TinySegmentModels.HwcEncoder(_host.PathFor("enc.onnx")), TinySegmentModels.EchoDecoder(_host.PathFor("dec.onnx")));
        var input = _host.Images.AddInput(SegmentTestSupport.HalfRed(_host, "hwc.png", 100, 80));
        var plugin = SegmentTestSupport.Plugin(_host);

        var data = Assert.IsType<SegmentationResult>((await plugin.SegmentAsync(input.Handle, point: "10,10")).Data);

        Assert.Equal(1, plugin.Sam.EncoderRuns);
        Assert.Equal("sam", data.Backend);
    }

    [Fact]
    public async Task Point_prompt_without_sam_weights_names_the_install_command()
    {
        var (plugin, input) = IsnetOnHalfRed("p.png", 64, 64);

        var error = await Assert.ThrowsAsync<BadInputException>(() => plugin.SegmentAsync(input.Handle, point: "10,10"));
        var forced = await Assert.ThrowsAsync<BadInputException>(() => plugin.SegmentAsync(input.Handle, box: "1,1,20,20", backend: "sam"));

        Assert.Contains("visionagent models fetch segment --group mobilesam", error.Message, StringComparison.Ordinal);
        Assert.Contains("visionagent models fetch segment --group mobilesam", forced.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Box_prompt_without_sam_weights_masks_the_salient_object_inside_the_box_and_says_how_to_install_sam()
    {
        var (plugin, input) = IsnetOnHalfRed("b.png", 200, 100);

        var result = await plugin.SegmentAsync(input.Handle, box: "60,10,160,90");

        var data = Assert.IsType<SegmentationResult>(result.Data);
        Assert.Equal("isnet", data.Backend);
        Assert.Equal(new PixelBox(60, 10, 100, 90), data.Box);
        Assert.Contains("visionagent models fetch segment --group mobilesam", result.Observation, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("img9", "", "unknown image handle")]
    [InlineData("img1", "1,2,3", "is not x1,y1,x2,y2")]
    [InlineData("img1", "img1#det7", "unknown image handle '\"img1#det7\"'")]
    [InlineData("img1", "500,500,600,600", "lies outside")]
    public async Task Bad_arguments_are_bad_input_with_a_clear_message(string image, string box, string message)
    {
        _host.Models.Add("segment", "isnet", TinySegmentModels.Isnet(_host.PathFor("isnet.onnx")));
        _host.Images.AddInput(SegmentTestSupport.HalfRed(_host, "x.png", 64, 64));
        var plugin = SegmentTestSupport.Plugin(_host);

        var error = await Assert.ThrowsAnyAsync<BadInputException>(() => plugin.SegmentAsync(image, box: box));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    // The tiny ISNet installed and a half-red image added: a red-channel "saliency" covers exactly its left half.
    private (SegmentPlugin Plugin, ImageRecord Input) IsnetOnHalfRed(string name, int width, int height)
    {
        _host.Models.Add("segment", "isnet", TinySegmentModels.Isnet(_host.PathFor("isnet.onnx")));
        var input = _host.Images.AddInput(SegmentTestSupport.HalfRed(_host, name, width, height));
        return (SegmentTestSupport.Plugin(_host), input);
    }

    private void AddSam(string encoder, string decoder) =>
        _host.Models.Add("segment", "mobilesam_encoder", encoder).Add("segment", "mobilesam_decoder", decoder);

    public void Dispose() => _host.Dispose();
}
