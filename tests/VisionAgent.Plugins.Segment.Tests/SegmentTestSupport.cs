using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using VisionAgent.Abstractions;
using VisionAgent.Onnx;
using VisionAgent.Testing;

namespace VisionAgent.Plugins.Segment.Tests;

internal static class SegmentTestSupport
{
    public static ExpertManifest Manifest { get; } = ExpertManifestReader.ReadEmbedded(typeof(SegmentExpertModule).Assembly);

    /// <summary>A PNG whose pixels come from <paramref name="color"/>(x, y).</summary>
    public static string WriteImage(TestExpertHost host, string name, int width, int height, Func<int, int, Rgb24> color)
    {
        using var image = new Image<Rgb24>(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++) image[x, y] = color(x, y);
        }
        var path = host.PathFor(name);
        image.SaveAsPng(path);
        return path;
    }

    /// <summary>Left half red, right half green: a red-channel "saliency" covers exactly the left half.</summary>
    public static string HalfRed(TestExpertHost host, string name, int width, int height) =>
        WriteImage(host, name, width, height, (x, _) => x < width / 2 ? new Rgb24(255, 0, 0) : new Rgb24(0, 255, 0));

    public static SegmentPlugin Plugin(TestExpertHost host, IReadOnlyDictionary<string, string>? settings = null)
    {
        host.AddService(new OnnxSessionPool());
        return (SegmentPlugin)new SegmentExpertModule().CreatePlugin(host.CreateContext(Manifest, settings));
    }
}
