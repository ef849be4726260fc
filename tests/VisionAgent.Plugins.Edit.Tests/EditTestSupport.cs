using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using VisionAgent.Abstractions;
using VisionAgent.Imaging.Masks;
using VisionAgent.Testing;

namespace VisionAgent.Plugins.Edit.Tests;

internal static class EditTestSupport
{
    public static ExpertManifest Manifest { get; } = ExpertManifestReader.ReadEmbedded(typeof(EditExpertModule).Assembly);

    public static EditPlugin CreatePlugin(TestExpertHost host, IReadOnlyDictionary<string, string>? settings = null, IProgress<ExpertProgress>? progress = null)
    {
        var context = host.CreateContext(Manifest, settings);
        var withProgress = new ExpertContext
        {
            Manifest = context.Manifest,
            Images = context.Images,
            Models = context.Models,
            Settings = context.Settings,
            Services = context.Services,
            Progress = progress,
        };
        return (EditPlugin)new EditExpertModule().CreatePlugin(withProgress);
    }

    /// <summary>A deterministic RGB test pattern (gradients plus a checker) saved as PNG.</summary>
    public static string WritePattern(string path, int width, int height)
    {
        using var image = new Image<Rgb24>(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var checker = ((x / 4) + (y / 4)) % 2 == 0 ? 40 : 0;
                image[x, y] = new Rgb24((byte)((x * 255 / width) + checker / 2), (byte)(y * 200 / height), (byte)(100 + checker));
            }
        }
        image.SaveAsPng(path);
        return path;
    }

    public static Rgba32[] Pixels(string path)
    {
        using var image = Image.Load<Rgba32>(path);
        var pixels = new Rgba32[image.Width * image.Height];
        image.CopyPixelDataTo(pixels);
        return pixels;
    }

    public static (int Width, int Height) Size(string path)
    {
        var info = Image.Identify(path);
        return (info.Width, info.Height);
    }

    /// <summary>Reports synchronously, so a test sees every report before the call returns.</summary>
    public sealed class RecordingProgress(Action<ExpertProgress>? onReport = null) : IProgress<ExpertProgress>
    {
        public List<ExpertProgress> Reports { get; } = [];

        public void Report(ExpertProgress value)
        {
            lock (Reports) Reports.Add(value);
            onReport?.Invoke(value);
        }
    }

    /// <summary>A segmenter stand-in: writes a box mask as the segment expert would and registers it.</summary>
    public sealed class BoxMaskProvider(IImageStore images, PixelBox box) : IMaskProvider
    {
        public int Calls { get; private set; }

        public Task<ImageRecord> GetSalientMaskAsync(string imageHandle, CancellationToken cancellationToken)
        {
            Calls++;
            var image = images.Get(imageHandle);
            var path = images.NewOutputPath(imageHandle, "mask");
            MaskFiles.SaveMask(BinaryMask.FromBox(image.Width, image.Height, box), path);
            return Task.FromResult(images.AddProduced(path, imageHandle, "segment", "mask"));
        }
    }
}
