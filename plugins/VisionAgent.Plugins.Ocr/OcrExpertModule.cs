using System.ComponentModel;
using System.Globalization;
using System.Text;
using Microsoft.SemanticKernel;
using VisionAgent.Abstractions;
using VisionAgent.Imaging;
using VisionAgent.Imaging.Tensors;
using VisionAgent.Onnx;

namespace VisionAgent.Plugins.Ocr;

/// <summary>The ocr expert: PP-OCRv4 text reading.</summary>
public sealed class OcrExpertModule : IExpertModule
{
    public object CreatePlugin(ExpertContext context) => new OcrPlugin(context);
}

/// <summary>The ocr tool the agent calls.</summary>
public sealed class OcrPlugin
{
    private const int ObservationLimit = 1500;
    private readonly ExpertContext _context;
    private readonly OcrOptions _options;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private OcrPipeline? _pipeline;

    public OcrPlugin(ExpertContext context)
    {
        _context = context;
        _options = OcrOptions.FromSettings(context);
    }

    [KernelFunction("ocr")]
    [ExpertData(typeof(OcrResult))]
    [Description("Reads the text in an image: each line with its position, in reading order.")]
    public async Task<ExpertResult> ReadAsync(
        [Description("Image handle such as img1, or a region reference such as img1#det2")] string image,
        [Description("Only read inside this box: x1,y1,x2,y2 in pixels, or a region reference such as img1#det2; empty for the whole image")] string region = "",
        [Description("Drop lines the recogniser is less sure of than this (0 to 1); negative uses the configured default")] double min_confidence = -1,
        CancellationToken cancellationToken = default)
    {
        var (record, box) = Resolve(image, region);
        var threshold = min_confidence < 0 ? _options.MinConfidence : (float)min_confidence;
        if (threshold > 1)
            throw new BadInputException($"min_confidence must be between 0 and 1, not {min_confidence.ToString(CultureInfo.InvariantCulture)}");
        var pipeline = await PipelineAsync(cancellationToken).ConfigureAwait(false);
        using var pixels = RgbPixels.Load(record.Path, _context.GetRequiredService<ImageLoader>(), box, cancellationToken);
        var lines = pipeline.Read(pixels, threshold, cancellationToken);
        if (box is { } crop)
        {
            var (dx, dy) = (MathF.Floor(crop.X1), MathF.Floor(crop.Y1));
            lines = lines.Select(l => l with
            {
                Quad = l.Quad.Select(p => new OcrPoint(p.X + dx, p.Y + dy)).ToArray(),
                Box = new PixelBox(l.Box.X1 + dx, l.Box.Y1 + dy, l.Box.X2 + dx, l.Box.Y2 + dy),
            }).ToList();
        }
        var result = new OcrResult(record.Handle, record.Width, record.Height, box, lines, ReadingOrder.FullText(lines));
        return new ExpertResult
        {
            Observation = Observe(result),
            Data = result,
            ContainsUntrustedText = lines.Count > 0,
        };
    }

    /// <summary>The text in reading order, each line tagged with a coarse position.</summary>
    public static string Observe(OcrResult result)
    {
        if (result.Lines.Count == 0)
            return $"No text found in {result.Image}{(result.Region is { } r ? $" inside {r}" : "")}.";
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Text read from {result.Image} ({result.Lines.Count} line{(result.Lines.Count == 1 ? "" : "s")}):");
        var shown = 0;
        foreach (var line in result.Lines)
        {
            var entry = $"\n[{Position(line.Box, result.Width, result.Height)}] {line.Text}";
            if (text.Length + entry.Length > ObservationLimit) break;
            text.Append(entry);
            shown++;
        }
        if (shown < result.Lines.Count)
            text.Append(CultureInfo.InvariantCulture, $"\n({result.Lines.Count - shown} more lines in the full result)");
        return text.ToString();
    }

    private static string Position(PixelBox box, int width, int height)
    {
        var cy = (box.Y1 + box.Y2) / 2 / height;
        var cx = (box.X1 + box.X2) / 2 / width;
        var vertical = cy < 1 / 3f ? "top" : cy < 2 / 3f ? "middle" : "bottom";
        var horizontal = cx < 1 / 3f ? "left" : cx < 2 / 3f ? "centre" : "right";
        return $"{vertical} {horizontal}";
    }

    private (ImageRecord Image, PixelBox? Box) Resolve(string image, string region)
    {
        ImageRecord record;
        PixelBox? box = null;
        if (_context.Images.TryGetRegion(image, out var imageRegion))
        {
            record = _context.Images.Get(imageRegion.ImageHandle);
            box = imageRegion.Box;
        }
        else
        {
            record = _context.Images.Get(image);
        }
        if (!string.IsNullOrWhiteSpace(region))
        {
            if (_context.Images.TryGetRegion(region, out var named))
            {
                if (!string.Equals(named.ImageHandle, record.Handle, StringComparison.OrdinalIgnoreCase))
                    throw new BadInputException($"region {named.Reference} belongs to {named.ImageHandle}, not {record.Handle}");
                box = named.Box;
            }
            else if (PixelBox.TryParse(region, out var parsed))
            {
                box = parsed;
            }
            else
            {
                throw new BadInputException($"region must be x1,y1,x2,y2 in pixels or a region reference such as {record.Handle}#det1, not '{region}'");
            }
        }
        if (box is { } b)
        {
            var clamped = b.ClampTo(record.Width, record.Height);
            if (clamped.Width < 1 || clamped.Height < 1)
                throw new BadInputException($"region {b} lies outside {record.Handle} ({record.Width}x{record.Height})");
            box = clamped;
        }
        return (record, box);
    }

    private async Task<OcrPipeline> PipelineAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _pipeline) is { } ready) return ready;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_pipeline is not null) return _pipeline;
            var name = _context.Manifest.Name;
            var models = _context.Models;
            var paths = new OcrModelPaths(
                await models.GetPathAsync(name, "det", cancellationToken).ConfigureAwait(false),
                await models.GetPathAsync(name, "cls", cancellationToken).ConfigureAwait(false),
                await models.GetPathAsync(name, "rec", cancellationToken).ConfigureAwait(false),
                await models.GetPathAsync(name, "keys", cancellationToken).ConfigureAwait(false));
            var pipeline = OcrPipeline.Create(_context.GetRequiredService<OnnxSessionPool>(), paths, _options);
            Volatile.Write(ref _pipeline, pipeline);
            return pipeline;
        }
        finally
        {
            _gate.Release();
        }
    }
}
