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
/// on first use), the pre- and post-processing around the models, and the per-prompt cost of a SAM prompt on a cached
/// embedding with a zero-cost decoder (everything but the decoder itself).
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

    [GlobalSetup]
    public void Setup()
    {
        var manifest = ExpertManifestReader.ReadEmbedded(typeof(SegmentExpertModule).Assembly);
        var path = RepositoryPaths.SampleImage("chelsea.png");
        _image = new ImageLoader().LoadRgb(path);
        _handle = _host.Images.AddInput(path).Handle;
        var random = new Random(1);
        _isnetScores = Enumerable.Range(0, 1024 * 1024).Select(i => i % 1024 < 700 ? 0.6f + (float)(random.NextDouble() * 0.4) : 0.1f).ToArray();
        _mask = MaskResampler.ResizeToMask(_isnetScores, 1024, 1024, _image.Width, _image.Height, 0.5f);

        var cache = new ModelCache(new ModelCacheOptions { Manifests = [manifest] });
        _host.Models.Add("segment", "isnet", cache.GetPathAsync("segment", "isnet", CancellationToken.None).GetAwaiter().GetResult());
        _host.Models.Add("segment", "mobilesam_encoder", ZeroEncoder(_host.PathFor("encoder.onnx")));
        _host.Models.Add("segment", "mobilesam_decoder", ConstantDecoder(_host.PathFor("decoder.onnx")));
        _host.AddService(new OnnxSessionPool());
        var context = _host.CreateContext(manifest);
        _isnet = (SegmentPlugin)new SegmentExpertModule().CreatePlugin(context);
        _sam = (SegmentPlugin)new SegmentExpertModule().CreatePlugin(context);
        _isnet.SegmentAsync(_handle).GetAwaiter().GetResult();
        _sam.SegmentAsync(_handle, point: "200,150").GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _image.Dispose();
        _host.Dispose();
    }

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

    [Benchmark(Description = "Write mask, cut-out and overlay PNGs")]
    public void WriteOutputs()
    {
        MaskFiles.SaveMask(_mask, _host.PathFor("bench-mask.png"));
        MaskFiles.SaveCutout(_image, _mask, _host.PathFor("bench-cutout.png"));
        MaskFiles.SaveOverlay(_image, _mask, _host.PathFor("bench-overlay.png"));
    }

    [Benchmark(Description = "ISNet end to end (segment tool, no prompt)")]
    public Task<ExpertResult> IsnetEndToEnd() => _isnet.SegmentAsync(_handle);

    [Benchmark(Description = "SAM second prompt, cached embedding, zero-cost decoder")]
    public Task<ExpertResult> SamSecondPromptOverhead() => _sam.SegmentAsync(_handle, point: "200,150");

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
