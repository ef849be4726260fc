using BenchmarkDotNet.Attributes;
using Onnx;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using VisionAgent.Abstractions;
using VisionAgent.Imaging;
using VisionAgent.Imaging.Masks;
using VisionAgent.ModelStore;
using VisionAgent.Onnx;
using VisionAgent.Plugins.Segment;
using VisionAgent.Testing;
using VisionAgent.Testing.Onnx;

namespace VisionAgent.Benchmarks;

/// <summary>
/// The segment expert on samples/images/chelsea.png (451x300): ISNet end to end (model fetched through the model cache
/// on first use), each step on its own (session creation and the run with the tuned settings and with the runtime's
/// defaults on the float16 file, decode, resize and tensor fill, mask resize, each PNG), and the per-prompt cost of a
/// SAM prompt on a cached embedding with a zero-cost decoder (everything but the decoder itself).
/// </summary>
[MemoryDiagnoser]
public class SegmentBenchmarks
{
    private readonly TestExpertHost _host = new();
    private Image<Rgb24> _image = null!;
    private float[] _isnetScores = null!;
    private BinaryMask _mask = null!;
    private SegmentPlugin _isnet = null!;
    private SegmentPlugin _sam = null!;
    private string _handle = "";
    private string _imagePath = "";
    private string _isnetPath = "";
    private OnnxModelOptions _tuned = OnnxModelOptions.Default;
    private OnnxSessionPool _tunedPool = null!;
    private OnnxSessionPool _defaultPool = null!;
    private float[] _isnetInput = null!;

    [GlobalSetup]
    public void Setup()
    {
        var manifest = ExpertManifestReader.ReadEmbedded(typeof(SegmentExpertModule).Assembly);
        var path = RepositoryPaths.SampleImage("chelsea.png");
        _imagePath = path;
        _image = new ImageLoader().LoadRgb(path);
        _isnetInput = IsnetPreprocessor.ToInput(_image, 1024);
        _handle = _host.Images.AddInput(path).Handle;
        var random = new Random(1);
        _isnetScores = Enumerable.Range(0, 1024 * 1024).Select(i => i % 1024 < 700 ? 0.6f + (float)(random.NextDouble() * 0.4) : 0.1f).ToArray();
        _mask = MaskResampler.ResizeToMask(_isnetScores, 1024, 1024, _image.Width, _image.Height, 0.5f);

        var cache = new ModelCache(new ModelCacheOptions { Manifests = [manifest] });
        _isnetPath = cache.GetPathAsync("segment", "isnet", CancellationToken.None).GetAwaiter().GetResult();
        _host.Models.Add("segment", "isnet", _isnetPath);
        _host.Models.Add("segment", "mobilesam_encoder", ZeroEncoder(_host.PathFor("encoder.onnx")));
        _host.Models.Add("segment", "mobilesam_decoder", ConstantDecoder(_host.PathFor("decoder.onnx")));
        _host.AddService(new OnnxSessionPool());
        var context = _host.CreateContext(manifest);
        _tuned = SegmentSettings.From(context).IsnetSession;
        _tunedPool = new OnnxSessionPool();
        _defaultPool = new OnnxSessionPool();
        RunIsnet(_tunedPool.Get(_isnetPath, _tuned));
        RunIsnet(_defaultPool.Get(_isnetPath));
        _isnet = (SegmentPlugin)new SegmentExpertModule().CreatePlugin(context);
        _sam = (SegmentPlugin)new SegmentExpertModule().CreatePlugin(context);
        _isnet.SegmentAsync(_handle).GetAwaiter().GetResult();
        _sam.SegmentAsync(_handle, point: "200,150").GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _tunedPool.Dispose();
        _defaultPool.Dispose();
        _image.Dispose();
        _host.Dispose();
    }

    [Benchmark(Description = "ISNet session, tuned (float32 copy, pre-optimised file, no arena)")]
    public int SessionTuned()
    {
        using var pool = new OnnxSessionPool();
        return pool.Get(_isnetPath, _tuned).InputMetadata.Count;
    }

    [Benchmark(Description = "ISNet session, runtime defaults on the float16 file")]
    public int SessionDefault()
    {
        using var pool = new OnnxSessionPool();
        return pool.Get(_isnetPath).InputMetadata.Count;
    }

    [Benchmark(Description = "Decode chelsea.png (guarded loader)")]
    public int Decode()
    {
        using var image = new ImageLoader().LoadRgb(_imagePath);
        return image.Width;
    }

    [Benchmark(Description = "ISNet run, tuned session")]
    public float RunTuned() => RunIsnet(_tunedPool.Get(_isnetPath, _tuned));

    [Benchmark(Description = "ISNet run, runtime defaults on the float16 file")]
    public float RunDefault() => RunIsnet(_defaultPool.Get(_isnetPath));

    [Benchmark(Description = "ISNet preprocess (stretch to 1024, planar, normalise)")]
    public float[] IsnetPreprocess() => IsnetPreprocessor.ToInput(_image, 1024);

    [Benchmark(Description = "SAM preprocess (long side 1024, pad, ImageNet mean/std)")]
    public float[] SamPreprocess() => SamPreprocessor.ToNchw(_image, SamImageFrame.For(_image.Width, _image.Height, 1024), [123.675f, 116.28f, 103.53f], [58.395f, 57.12f, 57.375f]);

    [Benchmark(Description = "Postprocess: 1024 map to 451x300 mask, regions, box")]
    public int Postprocess()
    {
        var mask = MaskResampler.ResizeToMask(_isnetScores, 1024, 1024, _image.Width, _image.Height, 0.5f);
        return MaskRegions.Find(mask, 135).Count + (mask.Bounds() is null ? 0 : 1);
    }

    [Benchmark(Description = "Write the mask PNG")]
    public void WriteMask() => WriteOnce(path => MaskFiles.SaveMask(_mask, path));

    [Benchmark(Description = "Write the cut-out PNG")]
    public void WriteCutout() => WriteOnce(path => MaskFiles.SaveCutout(_image, _mask, path));

    [Benchmark(Description = "Write the overlay PNG")]
    public void WriteOverlay() => WriteOnce(path => MaskFiles.SaveOverlay(_image, _mask, path));

    [Benchmark(Description = "ISNet end to end (segment tool, no prompt)")]
    public Task<ExpertResult> IsnetEndToEnd() => _isnet.SegmentAsync(_handle);

    [Benchmark(Description = "SAM second prompt, cached embedding, zero-cost decoder")]
    public Task<ExpertResult> SamSecondPromptOverhead() => _sam.SegmentAsync(_handle, point: "200,150");

    // Output files are never replaced, so each write takes a fresh name and the file is removed afterwards.
    private void WriteOnce(Action<string> write)
    {
        var path = _host.PathFor($"bench-{Guid.NewGuid():N}.png");
        write(path);
        File.Delete(path);
    }

    private float RunIsnet(Microsoft.ML.OnnxRuntime.InferenceSession session)
    {
        using var input = OnnxTensors.FromArray(_isnetInput, 1, 3, 1024, 1024);
        using var outputs = OnnxTensors.Run(session, new Dictionary<string, Microsoft.ML.OnnxRuntime.OrtValue> { ["input"] = input }, ["output"], CancellationToken.None);
        return outputs[0].GetTensorDataAsSpan<float>()[0];
    }

    private static string ZeroEncoder(string path) => new TinyOnnxModel("encoder")
        .FloatInput("x", 1, 3, 1024, 1024)
        .FloatOutput("image_embeddings", 1, 256, 64, 64)
        .Initializer("shape", [1L, 256, 64, 64], 4)
        .Node("ConstantOfShape", ["shape"], ["image_embeddings"], ("value", TinyOnnxModel.FloatTensor([0f], 1)))
        .Save(path);

    private static string ConstantDecoder(string path) => new TinyOnnxModel("decoder")
        .FloatInput("image_embeddings", 1, 256, 64, 64)
        .FloatInput("point_coords", 1, "n", 2)
        .FloatInput("point_labels", 1, "n")
        .FloatInput("mask_input", 1, 1, 256, 256)
        .FloatInput("has_mask_input", 1)
        .FloatInput("orig_im_size", 2)
        .FloatOutput("masks", 1, 3, "h", "w")
        .FloatOutput("iou_predictions", 1, 3)
        .FloatOutput("low_res_masks", 1, 3, 256, 256)
        .Initializer("k", [1L, 3], 2)
        .Initializer("ious", [0.5f, 0.9f, 0.7f], 1, 3)
        .Initializer("low_shape", [1L, 3, 256, 256], 4)
        .Node("Cast", ["orig_im_size"], ["size"], ("to", (long)TensorProto.Types.DataType.Int64))
        .Node("Concat", ["k", "size"], ["shape"], ("axis", 0L))
        .Node("ConstantOfShape", ["shape"], ["masks"], ("value", TinyOnnxModel.FloatTensor([1f], 1)))
        .Node("Identity", ["ious"], ["iou_predictions"])
        .Node("ConstantOfShape", ["low_shape"], ["low_res_masks"], ("value", TinyOnnxModel.FloatTensor([0f], 1)))
        .Save(path);
}
