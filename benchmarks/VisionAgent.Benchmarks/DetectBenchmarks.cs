using BenchmarkDotNet.Attributes;
using SixLabors.ImageSharp.PixelFormats;
using VisionAgent.Imaging;
using VisionAgent.Imaging.Tensors;
using VisionAgent.Onnx.TensorMath;
using VisionAgent.Plugins.Detect;
using VisionAgent.Testing;

namespace VisionAgent.Benchmarks;

/// <summary>
/// The detector's own work per image, the model apart: letterboxing a photo into the 640x640 input tensor,
/// and decoding a YOLOv8 [1, 84, 8400] output with class-aware NMS.
/// </summary>
[MemoryDiagnoser]
public class DetectBenchmarks
{
    private SixLabors.ImageSharp.Image<Rgb24> _image = null!;
    private float[] _tensor = null!;
    private float[] _output = null!;
    private LetterboxGeometry _geometry = null!;

    [GlobalSetup]
    public void Setup()
    {
        _image = new ImageLoader().LoadRgb(RepositoryPaths.SampleImage("coffee.png"));
        _tensor = new float[3 * 640 * 640];
        _geometry = LetterboxGeometry.For(_image.Width, _image.Height, 640, 640);
        _output = SyntheticYoloV8Output(objects: 20, seed: 1);
    }

    [GlobalCleanup]
    public void Cleanup() => _image.Dispose();

    [Benchmark(Description = "letterbox 600x400 to 640x640 tensor")]
    public LetterboxGeometry Letterbox() => LetterboxTensor.Fill(_image, 640, 640, _tensor);

    [Benchmark(Description = "decode [1,84,8400] + NMS")]
    public int DecodeAndNms() =>
        YoloPostprocessor.Run(_output, YoloLayout.V8, 84, 8400, new DetectionOptions(), _geometry).Count;

    /// <summary>
    /// A realistic v8 output: most anchors score near zero; around each object a cluster of neighbouring anchors
    /// fires with jittered boxes, as a trained head does (about 40 anchors per object above 0.25).
    /// </summary>
    internal static float[] SyntheticYoloV8Output(int objects, int seed)
    {
        const int anchors = 8400;
        var random = new Random(seed);
        var output = new float[84 * anchors];
        for (var i = 0; i < anchors; i++)
        {
            output[i] = random.NextSingle() * 640;
            output[anchors + i] = random.NextSingle() * 640;
            output[(2 * anchors) + i] = 10 + (random.NextSingle() * 50);
            output[(3 * anchors) + i] = 10 + (random.NextSingle() * 50);
            for (var c = 0; c < 80; c++) output[((4 + c) * anchors) + i] = random.NextSingle() * 0.05f;
        }
        for (var o = 0; o < objects; o++)
        {
            var cx = 50 + (random.NextSingle() * 540);
            var cy = 50 + (random.NextSingle() * 540);
            var w = 40 + (random.NextSingle() * 200);
            var h = 40 + (random.NextSingle() * 200);
            var cls = random.Next(80);
            for (var k = 0; k < 40; k++)
            {
                var i = random.Next(anchors);
                output[i] = cx + ((random.NextSingle() - 0.5f) * 8);
                output[anchors + i] = cy + ((random.NextSingle() - 0.5f) * 8);
                output[(2 * anchors) + i] = w * (0.9f + (random.NextSingle() * 0.2f));
                output[(3 * anchors) + i] = h * (0.9f + (random.NextSingle() * 0.2f));
                output[((4 + cls) * anchors) + i] = 0.3f + (random.NextSingle() * 0.65f);
            }
        }
        return output;
    }
}

/// <summary>NMS cost against the number of candidate boxes (clustered around objects, 10 classes).</summary>
[MemoryDiagnoser]
public class NmsBenchmarks
{
    private ScoredBox[] _clustered = null!;
    private ScoredBox[] _scattered = null!;

    [Params(1_000, 5_000, 10_000)]
    public int Candidates { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(3);
        // Clustered: every object draws many overlapping candidates, the usual detector output.
        _clustered = new ScoredBox[Candidates];
        var objects = Math.Max(10, Candidates / 50);
        var centres = Enumerable.Range(0, objects).Select(_ => (X: random.NextSingle() * 4000, Y: random.NextSingle() * 4000, W: 30 + (random.NextSingle() * 150), C: random.Next(10))).ToArray();
        for (var i = 0; i < Candidates; i++)
        {
            var o = centres[random.Next(objects)];
            var x = o.X + ((random.NextSingle() - 0.5f) * o.W * 0.2f);
            var y = o.Y + ((random.NextSingle() - 0.5f) * o.W * 0.2f);
            _clustered[i] = new ScoredBox(x, y, x + o.W, y + o.W, random.NextSingle(), o.C);
        }
        // Scattered: no box overlaps another, the worst case for the number kept.
        _scattered = new ScoredBox[Candidates];
        for (var i = 0; i < Candidates; i++)
        {
            var x = (i % 100) * 20f;
            var y = (i / 100) * 20f;
            _scattered[i] = new ScoredBox(x, y, x + 10, y + 10, random.NextSingle(), random.Next(10));
        }
    }

    [Benchmark(Description = "clustered, keep all")]
    public int Clustered() => NonMaxSuppression.Apply(_clustered, 0.45f).Length;

    [Benchmark(Description = "no overlaps, keep 300")]
    public int ScatteredCapped() => NonMaxSuppression.Apply(_scattered, 0.45f, maxKept: 300).Length;

    [Benchmark(Description = "no overlaps, keep all")]
    public int ScatteredAll() => NonMaxSuppression.Apply(_scattered, 0.45f).Length;
}
