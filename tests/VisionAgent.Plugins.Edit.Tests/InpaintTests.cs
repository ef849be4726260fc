using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using VisionAgent.Abstractions;
using VisionAgent.Onnx;
using VisionAgent.Plugins.Edit.Diffusion;
using VisionAgent.Testing;
using VisionAgent.Testing.Onnx;

namespace VisionAgent.Plugins.Edit.Tests;

public sealed class InpaintTests : IDisposable
{
    private static readonly Dictionary<string, string> SmallCanvas = new() { ["native_size"] = "64", ["steps"] = "4" };
    private readonly TestExpertHost _host = new();
    private readonly OnnxSessionPool _pool = new();
    private readonly TinyStableDiffusion.Export _export;
    private readonly string _image;

    public InpaintTests()
    {
        _host.AddService(_pool);
        _export = TinyStableDiffusion.Write(_host.PathFor("sd"));
        RegisterModels(_export);
        _image = _host.Images.AddInput(EditTestSupport.WritePattern(_host.PathFor("pattern.png"), 96, 64)).Handle;
    }

    [Fact]
    public async Task Pixels_outside_the_mask_are_byte_identical_after_compositing()
    {
        var plugin = EditTestSupport.CreatePlugin(_host, SmallCanvas);

        var result = await plugin.InpaintAsync(_image, mask: "16,8,48,40", prompt: "a cat");

        var input = EditTestSupport.Pixels(_host.Images.Get(_image).Path);
        var output = EditTestSupport.Pixels(result.Images[0].Path);
        var changedInside = 0;
        for (var y = 0; y < 64; y++)
        {
            for (var x = 0; x < 96; x++)
            {
                var i = (y * 96) + x;
                var inside = x is >= 16 and < 48 && y is >= 8 and < 40;
                if (!inside) Assert.Equal(input[i], output[i]);
                else if (input[i] != output[i]) changedInside++;
            }
        }
        Assert.True(changedInside > 500, $"only {changedInside} masked pixels changed");
        Assert.Equal("edit.inpaint", result.Images[0].Operation);
        Assert.Equal("a cat", result.Images[0].Parameters["prompt"]);
        Assert.Equal("box (16,8)-(48,40)", result.Images[0].Parameters["mask"]);
    }

    [Theory]
    [InlineData("ddim")]
    [InlineData("euler_a")]
    public async Task Same_seed_gives_the_same_image_and_another_seed_does_not(string scheduler)
    {
        var plugin = EditTestSupport.CreatePlugin(_host, SmallCanvas);

        var first = await plugin.InpaintAsync(_image, "16,8,48,40", "a dog", seed: 7, scheduler: scheduler);
        var again = await plugin.InpaintAsync(_image, "16,8,48,40", "a dog", seed: 7, scheduler: scheduler);
        var other = await plugin.InpaintAsync(_image, "16,8,48,40", "a dog", seed: 8, scheduler: scheduler);

        Assert.Equal(EditTestSupport.Pixels(first.Images[0].Path), EditTestSupport.Pixels(again.Images[0].Path));
        Assert.NotEqual(EditTestSupport.Pixels(first.Images[0].Path), EditTestSupport.Pixels(other.Images[0].Path));
    }

    [Fact]
    public void Latents_are_scaled_by_0_18215_after_encoding_and_unscaled_before_decoding()
    {
        var pipeline = new InpaintPipeline(_pool, Files());
        var image = Enumerable.Range(0, 3 * 64 * 64).Select(i => (i % 97 / 48.5f) - 1f).ToArray();

        var latents = pipeline.EncodeImage(image, 64, 64, CancellationToken.None);
        var decoded = pipeline.DecodeLatents(latents, 8, 8, CancellationToken.None);

        var raw = RunSingle(_export.VaeEncoder, "sample", image, [1, 3, 64, 64], "latent_sample");
        Assert.Equal(raw.Length, latents.Length);
        for (var i = 0; i < raw.Length; i++) Assert.Equal(raw[i] * 0.18215f, latents[i], 5);
        var direct = RunSingle(_export.VaeDecoder, "latent_sample", latents.Select(v => v / 0.18215f).ToArray(), [1, 4, 8, 8], "sample");
        Assert.Equal(direct.Length, decoded.Length);
        for (var i = 0; i < direct.Length; i++) Assert.Equal(direct[i], decoded[i], 5);
        // The tiny VAE decodes channel 1 (the red block mean) times 0.1: the round trip cancels the 0.18215.
        Assert.Equal(0.1f * raw[64], decoded[0], 5);
    }

    [Fact]
    public void Text_embeddings_reach_the_unet_with_guidance_batched_as_uncond_then_cond()
    {
        var pipeline = new InpaintPipeline(_pool, Files());
        var tokenizer = ClipTokenizer.Load(_export.Vocab, _export.Merges);

        var cond = pipeline.EncodeText(tokenizer.Encode("a cat"), CancellationToken.None);
        var uncond = pipeline.EncodeText(tokenizer.Encode(""), CancellationToken.None);

        Assert.Equal(77 * TinyStableDiffusion.HiddenSize, cond.Length);
        Assert.NotEqual(cond.Average(), uncond.Average(), 6);
    }

    [Fact]
    public async Task Progress_is_reported_per_step_and_the_unet_is_unloaded_after_use()
    {
        var progress = new EditTestSupport.RecordingProgress();
        var plugin = EditTestSupport.CreatePlugin(_host, new Dictionary<string, string>(SmallCanvas) { ["steps"] = "5" }, progress);

        var result = await plugin.InpaintAsync(_image, "0,0,32,32", "a cat");

        Assert.Equal([1.0, 2, 3, 4, 5], progress.Reports.Select(p => p.Completed));
        Assert.All(progress.Reports, p => Assert.Equal(("edit", "denoising", 5.0), (p.Expert, p.Stage, p.Total)));
        Assert.False(_pool.Unload(_export.Unet));
        Assert.True(_pool.Unload(_export.VaeDecoder));
        var timings = Assert.IsType<EditRecord>(result.Data).Timings!;
        Assert.Equal(5, timings.Steps);
    }

    [Fact]
    public async Task The_unet_stays_loaded_when_the_setting_says_so()
    {
        var plugin = EditTestSupport.CreatePlugin(_host, new Dictionary<string, string>(SmallCanvas) { ["unload_unet_after_use"] = "false" });

        await plugin.InpaintAsync(_image, "0,0,32,32", "a cat");

        Assert.True(_pool.Unload(_export.Unet));
    }

    [Fact]
    public async Task Strength_below_one_runs_the_later_part_of_the_schedule()
    {
        var progress = new EditTestSupport.RecordingProgress();
        var plugin = EditTestSupport.CreatePlugin(_host, new Dictionary<string, string>(SmallCanvas) { ["steps"] = "10" }, progress);

        await plugin.InpaintAsync(_image, "0,0,32,32", "a cat", strength: 0.5f);

        Assert.Equal(5, progress.Reports.Count);
    }

    [Fact]
    public async Task Integer_timestep_exports_are_accepted()
    {
        var intUnet = TinyStableDiffusion.Unet(TensorProto.Types.DataType.Int64).Save(_host.PathFor("sd64/unet/model.onnx"));
        _host.Models.Add("edit", "unet", intUnet);
        var plugin = EditTestSupport.CreatePlugin(_host, SmallCanvas);

        var result = await plugin.InpaintAsync(_image, "0,0,32,32", "a cat", scheduler: "euler_a");

        Assert.Equal(96, result.Images[0].Width);
    }

    [Theory]
    [InlineData(1f, 1)]
    [InlineData(7.5f, 2)]
    public async Task Guidance_above_one_batches_uncond_and_cond_and_one_runs_cond_alone(float guidance, int batch)
    {
        var fixedBatch = TinyStableDiffusion.Unet(batch: batch).Save(_host.PathFor($"sd-b{batch}/unet/model.onnx"));
        _host.Models.Add("edit", "unet", fixedBatch);
        var plugin = EditTestSupport.CreatePlugin(_host, SmallCanvas);

        var result = await plugin.InpaintAsync(_image, "0,0,32,32", "a cat", guidance: guidance);

        Assert.Equal(guidance.ToString(System.Globalization.CultureInfo.InvariantCulture), result.Images[0].Parameters["guidance"]);
    }

    [Fact]
    public async Task Guidance_scale_changes_the_result()
    {
        var plugin = EditTestSupport.CreatePlugin(_host, SmallCanvas);

        var weak = await plugin.InpaintAsync(_image, "0,0,48,48", "a cat", guidance: 1f, seed: 3);
        var strong = await plugin.InpaintAsync(_image, "0,0,48,48", "a cat", guidance: 30f, seed: 3);

        Assert.NotEqual(EditTestSupport.Pixels(weak.Images[0].Path), EditTestSupport.Pixels(strong.Images[0].Path));
    }

    [Fact]
    public async Task Float16_exports_are_accepted_and_stay_close_to_float32()
    {
        var plugin = EditTestSupport.CreatePlugin(_host, SmallCanvas);
        var full = await plugin.InpaintAsync(_image, "16,8,48,40", "a cat", seed: 5);
        _host.Models.Add("edit", "unet", TinyStableDiffusion.UnetFloat16().Save(_host.PathFor("sd16/unet/model.onnx")));

        var half = await plugin.InpaintAsync(_image, "16,8,48,40", "a cat", seed: 5);

        var a = EditTestSupport.Pixels(full.Images[0].Path);
        var b = EditTestSupport.Pixels(half.Images[0].Path);
        var worst = a.Zip(b, (p, q) => Math.Max(Math.Abs(p.R - q.R), Math.Max(Math.Abs(p.G - q.G), Math.Abs(p.B - q.B)))).Max();
        Assert.InRange(worst, 0, 8);
    }

    [Fact]
    public async Task A_cancelled_run_stops_between_steps_promptly()
    {
        using var cancellation = new CancellationTokenSource();
        var progress = new EditTestSupport.RecordingProgress(p =>
        {
            if (p.Completed >= 2) cancellation.Cancel();
        });
        var plugin = EditTestSupport.CreatePlugin(_host, new Dictionary<string, string>(SmallCanvas) { ["steps"] = "500" }, progress);
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => plugin.InpaintAsync(_image, "0,0,32,32", "a cat", cancellationToken: cancellation.Token));

        Assert.InRange(progress.Reports.Count, 2, 3);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"cancellation took {clock.Elapsed}");
        Assert.False(_pool.Unload(_export.Unet));
    }

    [Fact]
    public async Task Missing_models_name_the_fetch_command()
    {
        using var bare = new TestExpertHost();
        bare.AddService(new OnnxSessionPool());
        var handle = bare.Images.AddInput(EditTestSupport.WritePattern(bare.PathFor("p.png"), 32, 32)).Handle;
        var plugin = EditTestSupport.CreatePlugin(bare);

        var error = await Assert.ThrowsAsync<ModelMissingException>(() => plugin.InpaintAsync(handle, "0,0,8,8", "a cat"));

        Assert.Contains("visionagent models fetch edit", error.Message);
    }

    [Fact]
    public async Task Remove_uses_diffusion_when_the_models_are_installed()
    {
        var plugin = EditTestSupport.CreatePlugin(_host, SmallCanvas);

        var result = await plugin.RemoveAsync(_image, "16,8,48,40");

        Assert.Contains("diffusion inpainting", result.Observation);
        Assert.Equal("diffusion", result.Images[0].Parameters["method"]);
        Assert.Equal("background", result.Images[0].Parameters["prompt"]);
    }

    [Theory]
    [InlineData(96, 64, 512, 640, 448)]
    [InlineData(451, 300, 512, 640, 448)]
    [InlineData(512, 512, 512, 512, 512)]
    [InlineData(4000, 100, 512, 1024, 64)]
    public void Working_size_is_a_multiple_of_64_near_the_native_size(int width, int height, int native, int expectedWidth, int expectedHeight)
    {
        Assert.Equal((expectedWidth, expectedHeight), Imaging.Editing.InpaintCanvas.WorkingSize(width, height, native));
    }

    public void Dispose() => _host.Dispose();

    private void RegisterModels(TinyStableDiffusion.Export export)
    {
        _host.Models
            .Add("edit", "text_encoder", export.TextEncoder)
            .Add("edit", "unet", export.Unet)
            .Add("edit", "vae_encoder", export.VaeEncoder)
            .Add("edit", "vae_decoder", export.VaeDecoder)
            .Add("edit", "tokenizer_vocab", export.Vocab)
            .Add("edit", "tokenizer_merges", export.Merges);
    }

    private InpaintModelFiles Files() =>
        new(_export.TextEncoder, _export.Unet, _export.VaeEncoder, _export.VaeDecoder, _export.Vocab, _export.Merges);

    private float[] RunSingle(string model, string input, float[] data, long[] shape, string output)
    {
        using var value = OnnxTensors.FromArray(data, shape);
        using var outputs = OnnxTensors.Run(_pool.Get(model), new Dictionary<string, OrtValue> { [input] = value }, [output], CancellationToken.None);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }
}
