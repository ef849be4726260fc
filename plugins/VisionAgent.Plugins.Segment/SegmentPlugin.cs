using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.SemanticKernel;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using VisionAgent.Abstractions;
using VisionAgent.Imaging;
using VisionAgent.Imaging.Masks;

namespace VisionAgent.Plugins.Segment;

/// <summary>The segment tool: one function, two backends (ISNet without a prompt, SAM with points or a box).</summary>
public sealed class SegmentPlugin
{
    private readonly ExpertContext _context;
    private readonly SegmentSettings _settings;
    private readonly ImageLoader _loader;

    public SegmentPlugin(ExpertContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        // The host's loader carries the user's image limits.
        _loader = context.GetRequiredService<ImageLoader>();
        _settings = SegmentSettings.From(context);
        Sam = new SamBackend(context, _settings);
        Isnet = new IsnetBackend(context, _settings);
    }

    public SamBackend Sam { get; }

    public IsnetBackend Isnet { get; }

    [KernelFunction("segment")]
    [ExpertData(typeof(SegmentationResult))]
    [Description("Masks an object in an image and returns the mask, a cut-out (transparent background) and an overlay as new image handles, " +
        "with the mask's area share, bounding box and number of regions. Without a prompt it masks the salient object " +
        "(for 'remove the background', 'cut out'); with point or box (or a detection such as img1#det2) it masks that object.")]
    [SuppressMessage("Naming", "CA1707:Identifiers should not contain underscores", Justification = "The tool's argument names are snake_case, as the LLM sees them.")]
    public async Task<ExpertResult> SegmentAsync(
        [Description("Image handle such as img1, or a detection such as img1#det2 to segment inside its box")] string image,
        [Description("Foreground point(s) in pixels: x,y or x,y;x,y")] string point = "",
        [Description("Background point(s) in pixels to exclude: x,y or x,y;x,y")] string negative_point = "",
        [Description("Box in pixels x1,y1,x2,y2, or a detection such as img1#det2")] string box = "",
        [Description("auto (SAM when prompted and installed, else ISNet), sam or isnet")] string backend = "auto",
        [Description("0..1: how confident a pixel must be to be inside the mask; 0 means the configured default (0.5)")] double threshold = 0,
        [Description("Which images to produce: all, or a list of mask, cutout, overlay (mask alone is quickest)")] string outputs = "all",
        CancellationToken cancellationToken = default)
    {
        var (record, prompt) = ResolvePrompt(image, point, negative_point, box);
        var wanted = SegmentOutputsParser.Parse(outputs);
        if (threshold is < 0 or >= 1 || double.IsNaN(threshold))
            throw new BadInputException(FormattableString.Invariant($"threshold {threshold} must be between 0 and 1 (0 for the default)"));
        var cut = threshold > 0 ? (float)threshold : _settings.Threshold;
        var choice = (backend ?? "auto").Trim().ToLowerInvariant();
        if (choice is not ("auto" or "sam" or "isnet"))
            throw new BadInputException($"backend '{backend}' must be auto, sam or isnet");

        var group = Sam.InstalledGroup();
        BinaryMask mask;
        string backendName, model;
        string? note = null;
        SamDecoding? decoding = null;

        if (choice == "sam" || (choice == "auto" && !prompt.IsEmpty && group is not null))
        {
            if (group is null) throw SamMissing();
            if (prompt.IsEmpty)
                throw new BadInputException("the sam backend needs a prompt: point=x,y or box=x1,y1,x2,y2 (or a detection such as img1#det2); without one, use backend=isnet");
            // The store records the displayed size (EXIF quarter turns applied), the size the decoded pixels have.
            decoding = await Sam.SegmentAsync(record, record.Width, record.Height, () => Load(record, cancellationToken), prompt, group, cut, cancellationToken);
            (mask, backendName, model) = (decoding.Mask, "sam", group);
        }
        else if (prompt.Points.Count > 0 && choice == "auto")
        {
            throw SamMissing();
        }
        else
        {
            if (prompt.Points.Count > 0) throw choice == "auto" ? SamMissing()
                : new BadInputException("the isnet backend takes no points (only a box or nothing); use backend=sam for point prompts");
            mask = await IsnetMaskAsync(record, prompt.Box, cut, cancellationToken);
            (backendName, model) = ("isnet", _settings.IsnetModel);
            if (prompt.Box is not null && choice == "auto")
                note = "no SAM weights installed, so this is the salient object inside the box; for promptable masks run: visionagent models fetch segment --group mobilesam";
        }

        return Report(record, mask, prompt, backendName, model, cut, decoding, note, wanted, cancellationToken);
    }

    /// <summary>Frees the SAM encoder sessions; cached embeddings stay, so prompts on those images still work.</summary>
    public Task<int> UnloadEncodersAsync(CancellationToken cancellationToken) => Sam.UnloadEncodersAsync(cancellationToken);

    private (ImageRecord Record, SegmentPrompt Prompt) ResolvePrompt(string image, string? point, string? negativePoint, string? box)
    {
        if (string.IsNullOrWhiteSpace(image))
            throw new BadInputException("segment needs an image handle such as img1");
        string? regionReference = null;
        PixelBox? region = null;
        ImageRecord record;
        if (image.Contains('#', StringComparison.Ordinal))
        {
            var detection = Region(image);
            record = _context.Images.Get(detection.ImageHandle);
            (regionReference, region) = (detection.Reference, detection.Box);
        }
        else
        {
            record = _context.Images.Get(image);
        }

        if (!string.IsNullOrWhiteSpace(box))
        {
            if (region is not null)
                throw new BadInputException($"give the box once: {image} already names a detection");
            if (box.Contains('#', StringComparison.Ordinal))
            {
                var detection = Region(box);
                if (!string.Equals(detection.ImageHandle, record.Handle, StringComparison.OrdinalIgnoreCase))
                    throw new BadInputException($"{detection.Reference} is a region of {detection.ImageHandle}, not of {record.Handle}");
                (regionReference, region) = (detection.Reference, detection.Box);
            }
            else if (PixelBox.TryParse(box, out var parsed))
            {
                region = parsed;
            }
            else
            {
                throw new BadInputException($"box '{box}' is not x1,y1,x2,y2 in pixels (with x2>x1, y2>y1) or a detection such as {record.Handle}#det1");
            }
        }
        if (region is { } r)
        {
            var clamped = r.ClampTo(record.Width, record.Height);
            if (clamped.Width < 1 || clamped.Height < 1)
                throw new BadInputException($"box {r} lies outside the {record.Width}x{record.Height} image {record.Handle}");
            region = clamped;
        }
        var points = PointsOf(point, true, record).Concat(PointsOf(negativePoint, false, record)).ToList();
        if (points.Count > 0 && points.All(p => !p.Foreground) && region is null)
            throw new BadInputException("background points alone do not say what to segment: add point=x,y or a box");
        return (record, new SegmentPrompt(points, region, regionReference));
    }

    private static IReadOnlyList<PromptPoint> PointsOf(string? text, bool foreground, ImageRecord record) =>
        SegmentPrompt.ParsePoints(text, foreground, record.Width, record.Height, foreground ? "point" : "negative_point");

    private RegionRecord Region(string reference) =>
        _context.Images.TryGetRegion(reference, out var region)
            ? region
            : throw new UnknownHandleException(reference.Trim(), _context.Images.Regions.Select(r => r.Reference));

    private BadInputException SamMissing() => new(
        "point and box prompts need SAM-format weights (MobileSAM or SAM ViT-B), which are not installed; install them with: " +
        "visionagent models fetch segment --group mobilesam (or --group sam_vit_b), or segment without a prompt for the salient object");

    // The decoded image is held only while the model's input is made; the run and the outputs never see it beside the model.
    private async Task<BinaryMask> IsnetMaskAsync(ImageRecord record, PixelBox? box, float threshold, CancellationToken cancellationToken)
    {
        IsnetInput? input;
        int width, height;
        using (var pixels = Load(record, cancellationToken))
        {
            (width, height) = (pixels.Width, pixels.Height);
            input = box is { } region ? Isnet.Prepare(pixels, region) : Isnet.Prepare(pixels);
        }
        return input is null ? BinaryMask.Empty(width, height) : await Isnet.SegmentAsync(input, threshold, cancellationToken);
    }

    private Image<Rgb24> Load(ImageRecord record, CancellationToken cancellationToken) => _loader.LoadRgb(record.Path, cancellationToken);

    private ExpertResult Report(
        ImageRecord record, BinaryMask mask, SegmentPrompt prompt, string backend, string model,
        float threshold, SamDecoding? decoding, string? note, SegmentOutputs wanted, CancellationToken cancellationToken)
    {
        var minRegion = Math.Max(1, (int)(_settings.MinRegionShare * mask.Width * mask.Height));
        var regions = MaskRegions.Find(mask, minRegion);
        var bounds = mask.Bounds();
        var area = Math.Round(mask.Coverage * 100, 2);
        var what = backend == "sam" ? $"SAM mask ({model}, {prompt.Describe()}" : prompt.Box is null ? "salient-object mask (isnet" : $"salient-object mask (isnet, {prompt.Describe()}";
        if (decoding is not null)
            what += string.Create(CultureInfo.InvariantCulture, $", predicted IoU {decoding.IouPredictions[decoding.BestIndex]:0.00}");
        what += ")";
        var result = new SegmentationResult
        {
            Image = record.Handle,
            Backend = backend,
            Model = model,
            Prompt = prompt.Describe(),
            Threshold = threshold,
            AreaPercent = area,
            AreaPixels = mask.Area,
            Box = bounds,
            RegionCount = regions.Count,
            MinRegionPixels = minRegion,
            Regions = regions.Take(10).ToList(),
            PredictedIou = decoding?.IouPredictions[decoding.BestIndex],
            IouPredictions = decoding?.IouPredictions,
            EmbeddingCached = decoding?.EmbeddingCached,
            Note = note,
        };
        if (mask.Area == 0)
        {
            var empty = $"{record.Handle}: the {what} is empty: nothing passed threshold {threshold.ToString("0.##", CultureInfo.InvariantCulture)}; " +
                "try a lower threshold or a prompt.";
            return new ExpertResult { Observation = note is null ? empty : $"{empty} Note: {note}", Data = result };
        }

        var parameters = new Dictionary<string, string>
        {
            ["backend"] = backend,
            ["model"] = model,
            ["prompt"] = prompt.Describe(),
            ["threshold"] = threshold.ToString("0.###", CultureInfo.InvariantCulture),
        };
        var produced = new List<ImageRecord>();
        ImageRecord? maskRecord = null, cutoutRecord = null, overlayRecord = null;
        if (wanted.HasFlag(SegmentOutputs.Mask))
            produced.Add(maskRecord = Produce(record, "mask", path => MaskFiles.SaveMask(mask, path), parameters));
        if ((wanted & (SegmentOutputs.Cutout | SegmentOutputs.Overlay)) != 0)
        {
            // Decoded again rather than kept from the start, so the full-size pixels never sat beside the model's buffers.
            using var pixels = Load(record, cancellationToken);
            if (pixels.Width != mask.Width || pixels.Height != mask.Height)
                throw new BadInputException($"{record.Handle} changed while it was segmented (now {pixels.Width}x{pixels.Height}, the mask is {mask.Width}x{mask.Height})");
            if (wanted.HasFlag(SegmentOutputs.Cutout))
                produced.Add(cutoutRecord = Produce(record, "cutout", path => MaskFiles.SaveCutout(pixels, mask, path), parameters));
            if (wanted.HasFlag(SegmentOutputs.Overlay))
                produced.Add(overlayRecord = Produce(record, "overlay", path => MaskFiles.SaveOverlay(pixels, mask, path), parameters));
        }
        result = result with { MaskHandle = maskRecord?.Handle, CutoutHandle = cutoutRecord?.Handle, OverlayHandle = overlayRecord?.Handle };

        var handles = string.Join(", ", new[] { ("Mask", maskRecord), ("cut-out", cutoutRecord), ("overlay", overlayRecord) }
            .Where(h => h.Item2 is not null)
            .Select(h => $"{h.Item1} {h.Item2!.Handle}"));
        var observation = string.Create(CultureInfo.InvariantCulture,
            $"{record.Handle}: {what} covers {area:0.#}% of the image, box {bounds}, {Plural(regions.Count, "region")}. ") +
            char.ToUpperInvariant(handles[0]) + handles[1..] + ".";
        if (note is not null) observation += $" Note: {note}.";
        return new ExpertResult
        {
            Observation = observation,
            Data = result,
            Images = produced,
        };
    }

    private ImageRecord Produce(ImageRecord parent, string kind, Action<string> write, IReadOnlyDictionary<string, string> parameters)
    {
        var path = _context.Images.NewOutputPath(parent.Handle, kind);
        write(path);
        return _context.Images.AddProduced(path, parent.Handle, _context.Manifest.Name, kind, parameters);
    }

    private static string Plural(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";
}
