using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;
using VisionAgent.Abstractions;
using VisionAgent.Imaging;
using VisionAgent.Imaging.Editing;
using VisionAgent.Imaging.Masks;
using VisionAgent.Onnx;
using VisionAgent.Plugins.Edit.Diffusion;
using VisionAgent.Testing;
using VisionAgent.Testing.Onnx;

namespace VisionAgent.Benchmarks;

/// <summary>
/// One denoising step at Stable Diffusion's native 512x512 (latents 4x64x64, [uncond, cond] batch of 2):
/// the work around the UNet (packing the 9-channel input, tensor copies, guidance, scheduler step) against a
/// tiny UNet's run. The real UNet takes seconds per step on a CPU; the overhead must stay far below it.
/// </summary>
[MemoryDiagnoser]
public class EditDiffusionStepBenchmarks : IDisposable
{
    private const int Side = 64;
    private const int Plane = Side * Side;
    private readonly OnnxSessionPool _pool = new();
    private string _directory = "";
    private InferenceSession _unet = null!;
    private float[] _latents = [];
    private float[] _scratch = [];
    private float[] _mask = [];
    private float[] _maskedLatents = [];
    private float[] _unetInput = [];
    private float[] _unetOutput = [];
    private float[] _embeddings = [];
    private float[] _noisePrediction = [];
    private DdimScheduler _ddim = null!;
    private EulerAncestralScheduler _euler = null!;
    private GaussianNoise _noise = null!;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "visionagent-bench-edit-" + Guid.NewGuid().ToString("N"));
        var export = TinyStableDiffusion.Write(_directory);
        _unet = _pool.Get(export.Unet);
        _noise = new GaussianNoise(1);
        _latents = new float[4 * Plane];
        _noise.Fill(_latents);
        _scratch = new float[4 * Plane];
        _mask = new float[Plane];
        _mask.AsSpan(0, Plane / 2).Fill(1f);
        _maskedLatents = new float[4 * Plane];
        _noise.Fill(_maskedLatents);
        _unetInput = new float[2 * 9 * Plane];
        _unetOutput = new float[2 * 4 * Plane];
        _noise.Fill(_unetOutput);
        _embeddings = new float[2 * 77 * TinyStableDiffusion.HiddenSize];
        _noisePrediction = new float[4 * Plane];
        _ddim = new DdimScheduler();
        _ddim.SetTimesteps(25);
        _euler = new EulerAncestralScheduler();
        _euler.SetTimesteps(25);
    }

    [Benchmark(Description = "pack 9-channel UNet input (batch 2)")]
    public void PackInput() => LatentMath.PackUnetInput(_latents, 0.5f, _mask, _maskedLatents, 2, _unetInput);

    [Benchmark(Description = "classifier-free guidance")]
    public void Guidance() => LatentMath.ApplyGuidance(_unetOutput, 7.5f, _noisePrediction);

    [Benchmark(Description = "DDIM step")]
    public void DdimStep()
    {
        // Step a fresh copy each time: stepping the same latents repeatedly would grow them without bound.
        _latents.CopyTo(_scratch, 0);
        _ddim.Step(_noisePrediction, 3, _scratch, _noise);
    }

    [Benchmark(Description = "Euler ancestral step (incl. fresh noise)")]
    public void EulerStep()
    {
        _latents.CopyTo(_scratch, 0);
        _euler.Step(_noisePrediction, 3, _scratch, _noise);
    }

    [Benchmark(Description = "whole step overhead: pack, OrtValues, guidance, DDIM")]
    public void StepOverhead()
    {
        LatentMath.PackUnetInput(_latents, 1f, _mask, _maskedLatents, 2, _unetInput);
        using var sample = OrtValue.CreateTensorValueFromMemory(_unetInput, [2, 9, Side, Side]);
        using var timestep = OrtValue.CreateTensorValueFromMemory(new[] { 501f }, [1]);
        using var hidden = OrtValue.CreateTensorValueFromMemory(_embeddings, [2, 77, TinyStableDiffusion.HiddenSize]);
        LatentMath.ApplyGuidance(_unetOutput, 7.5f, _noisePrediction);
        _latents.CopyTo(_scratch, 0);
        _ddim.Step(_noisePrediction, 3, _scratch, _noise);
    }

    [Benchmark(Description = "tiny UNet run (batch 2, 64x64 latents)")]
    public float TinyUnet()
    {
        using var sample = OrtValue.CreateTensorValueFromMemory(_unetInput, [2, 9, Side, Side]);
        using var timestep = OrtValue.CreateTensorValueFromMemory(new[] { 501f }, [1]);
        using var hidden = OrtValue.CreateTensorValueFromMemory(_embeddings, [2, 77, TinyStableDiffusion.HiddenSize]);
        using var outputs = OnnxTensors.Run(_unet,
            new Dictionary<string, OrtValue> { ["sample"] = sample, ["timestep"] = timestep, ["encoder_hidden_states"] = hidden },
            ["out_sample"], CancellationToken.None);
        return outputs[0].GetTensorDataAsSpan<float>()[0];
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _pool.Dispose();
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
        GC.SuppressFinalize(this);
    }
}

/// <summary>The edits that need no model, on the 451x300 sample photo (chelsea.png).</summary>
[MemoryDiagnoser]
public class EditWeightFreeBenchmarks
{
    private static readonly PixelBox Subject = new(140, 20, 320, 220);
    private string _image = "";
    private string _output = "";
    private BinaryMask _mask = null!;
    private BinaryMask _hole = null!;
    private readonly ImageLoader _loader = new();

    [GlobalSetup]
    public void Setup()
    {
        _image = RepositoryPaths.SampleImage("chelsea.png");
        _output = Path.Combine(Path.GetTempPath(), "visionagent-bench-edit-" + Guid.NewGuid().ToString("N") + ".png");
        _mask = BinaryMask.FromBox(451, 300, Subject);
        _hole = BinaryMask.FromBox(451, 300, new PixelBox(200, 100, 260, 160));
    }

    [Benchmark(Description = "background blur (sigma 12)")]
    public EditedImage Blur() => ImageEdits.ReplaceBackground(_image, _mask, new BackgroundOptions { Mode = BackgroundMode.Blur }, _output, _loader);

    [Benchmark(Description = "background remove (RGBA PNG)")]
    public EditedImage Remove() => ImageEdits.ReplaceBackground(_image, _mask, new BackgroundOptions { Mode = BackgroundMode.Remove }, _output, _loader);

    [Benchmark(Description = "crop")]
    public EditedImage Crop() => ImageEdits.Crop(_image, Subject, _output, _loader);

    [Benchmark(Description = "resize to 0.5x")]
    public EditedImage Resize() => ImageEdits.Resize(_image, 226, 150, _output, _loader);

    [Benchmark(Description = "rotate 90")]
    public EditedImage Rotate() => ImageEdits.Rotate(_image, 90, _output, _loader);

    [Benchmark(Description = "adjust brightness/contrast/saturation")]
    public EditedImage Adjust() => ImageEdits.Adjust(_image, 1.2f, 1.1f, 1.3f, _output, _loader);

    [Benchmark(Description = "non-generative fill of a 60x60 hole")]
    public EditedImage Fill() => MaskFill.Fill(_image, _hole, _output, _loader);

    [GlobalCleanup]
    public void Cleanup()
    {
        if (File.Exists(_output)) File.Delete(_output);
    }
}
