using System.ComponentModel;
using System.Globalization;
using Microsoft.SemanticKernel;
using VisionAgent.Abstractions;
using VisionAgent.Imaging;

namespace VisionAgent.Plugins.ImageInfo;

/// <summary>The image_info tool: cheap facts about an image, no model needed.</summary>
public sealed class ImageInfoPlugin(IImageStore images, ImageLoader loader)
{
    [KernelFunction("image_info")]
    [ExpertData(typeof(ImageFacts))]
    [Description("Format, width, height, colour mode, file size, EXIF orientation and capture time, mean brightness (0-255) and dominant colours of an image.")]
    public Task<ExpertResult> DescribeAsync(
        [Description("image handle, e.g. img1")] string image,
        CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var record = images.Get(image);
        var facts = ImageFactsReader.Read(record.Path, loader, cancellationToken);
        var colours = string.Join(", ", facts.DominantColours.Select(c => FormattableString.Invariant($"{c.Name} {c.Share:0%}")));
        var captured = CaptureTime(facts.CapturedAt);
        var observation = FormattableString.Invariant(
            $"{record.Handle}: {facts.Format} {facts.Width}x{facts.Height} ({facts.Megapixels:0.##} MP), {facts.ColourMode}, {FormatBytes(facts.FileBytes)}; mean brightness {facts.MeanBrightness:0}/255 ({BrightnessWord(facts.MeanBrightness)}); dominant colours: {colours}")
            + (facts.Orientation is { } o ? $"; EXIF orientation {o}" : "")
            + (captured.Text is { } t ? $"; taken {t}" : "") + ".";
        return Task.FromResult(new ExpertResult
        {
            Observation = observation,
            Data = facts with { Handle = record.Handle },
            // EXIF text is whatever the file's author wrote; only a date we parsed and printed ourselves is ours.
            ContainsUntrustedText = captured.Untrusted,
        });
    }

    private static (string? Text, bool Untrusted) CaptureTime(string? exif)
    {
        if (exif is null) return (null, false);
        if (DateTime.TryParseExact(exif.Trim().TrimEnd('\0'), "yyyy:MM:dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
            return (time.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), false);
        return (QuotedText.Quote(exif, 40), true);
    }

    private static string BrightnessWord(double mean) => mean switch
    {
        < 60 => "dark",
        < 110 => "dim",
        < 170 => "medium",
        < 215 => "bright",
        _ => "very bright",
    };

    private static string FormatBytes(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.#} MiB"),
    };
}
