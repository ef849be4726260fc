using System.ComponentModel;
using System.Globalization;
using Microsoft.SemanticKernel;
using VisionAgent.Abstractions;
using VisionAgent.Imaging;
using VisionAgent.Imaging.Editing;
using VisionAgent.Imaging.Masks;
using VisionAgent.Onnx;
using VisionAgent.Plugins.Edit.Diffusion;

namespace VisionAgent.Plugins.Edit;

/// <summary>
/// The edit expert's tools. Each returns a new image handle whose provenance records the operation and its
/// parameters. Tool argument names are snake_case because they are what the LLM and the CLI type.
/// </summary>
public sealed class EditPlugin(ExpertContext context)
{
    /// <summary>The model names of the diffusion backend, in the manifest's sd-inpaint group.</summary>
    public static readonly string[] DiffusionModels = ["text_encoder", "unet", "vae_encoder", "vae_decoder", "tokenizer_vocab", "tokenizer_merges"];

    private readonly MaskResolver _masks = new(context);

    private ImageLoader Loader => context.GetRequiredService<ImageLoader>();
    private readonly Lock _pipelineGate = new();
    private InpaintPipeline? _pipeline;

    private string Expert => context.Manifest.Name;

    [ExpertData(typeof(EditRecord))]
    [KernelFunction("background"), Description("Replace the background of an image (everything outside the subject mask): remove (transparent PNG), blur, a colour, or another image. Without a mask the main subject is segmented automatically.")]
    public async Task<ExpertResult> BackgroundAsync(
        [Description("Image handle such as img1 (or a detection such as img1#det2, whose box becomes the subject)")] string image,
        [Description("Subject mask: a mask handle from segment, a detection such as img1#det2, or a box x1,y1,x2,y2; empty = segment the main subject")] string mask = "",
        [Description("remove, blur, color or image")] string mode = "blur",
        [Description("Background colour for mode=color: a name (white) or hex (#87ceeb)")] string color = "white",
        [Description("Blur strength in pixels for mode=blur")] float blur_radius = 0,
        [Description("Image handle of the new background for mode=image")] string background_image = "",
        CancellationToken cancellationToken = default)
    {
        var target = _masks.ResolveImage(image);
        var parsedMode = mode.Trim().ToLowerInvariant() switch
        {
            "remove" or "transparent" or "cutout" => BackgroundMode.Remove,
            "blur" => BackgroundMode.Blur,
            "color" or "colour" => BackgroundMode.Color,
            "image" or "replace" => BackgroundMode.Image,
            _ => throw new BadInputException($"unknown background mode '{mode}': use remove, blur, color or image"),
        };
        var options = new BackgroundOptions { Mode = parsedMode };
        var parameters = new Dictionary<string, string> { ["mode"] = parsedMode.ToString().ToLowerInvariant() };
        switch (parsedMode)
        {
            case BackgroundMode.Blur:
                var radius = blur_radius > 0 ? blur_radius : context.SettingFloat("blur_radius", 0, 200) ?? 12f;
                if (radius > 200) throw new BadInputException($"blur_radius {radius} is too large (at most 200)");
                options = options with { BlurRadius = radius };
                parameters["blur_radius"] = Invariant(radius);
                break;
            case BackgroundMode.Color:
                if (!EditColor.TryParse(color, out var parsedColor))
                    throw new BadInputException($"unknown colour '{color}': use a name such as white or a hex value such as #87ceeb");
                options = options with { Color = parsedColor };
                parameters["color"] = parsedColor.ToString();
                break;
            case BackgroundMode.Image:
                if (string.IsNullOrWhiteSpace(background_image))
                    throw new BadInputException("mode=image needs background_image (an image handle)");
                var replacement = context.Images.Get(background_image);
                options = options with { BackgroundImagePath = replacement.Path };
                parameters["background_image"] = replacement.Handle;
                break;
        }
        var subject = await _masks.ResolveAsync(target, mask, "background", allowSalient: true, cancellationToken);
        parameters["mask"] = subject.Source;
        cancellationToken.ThrowIfCancellationRequested();
        var output = context.Images.NewOutputPath(target.Image.Handle, "edit");
        var edited = ImageEdits.ReplaceBackground(target.Image.Path, subject.Mask, options, output, Loader);
        var share = 100.0 * subject.Mask.Coverage;
        var what = parsedMode switch
        {
            BackgroundMode.Remove => "background removed (transparent PNG)",
            BackgroundMode.Blur => "background blurred",
            BackgroundMode.Color => $"background set to {parameters["color"]}",
            _ => $"background replaced by {parameters["background_image"]}",
        };
        return Produce(target.Image, edited, "background", parameters,
            $"{target.Image.Handle} with {what}; subject mask {subject.Source} covers {share:0}% of the image", subject.Source);
    }

    [ExpertData(typeof(EditRecord))]
    [KernelFunction("crop"), Description("Crop an image to a box or to a detection.")]
    public Task<ExpertResult> CropAsync(
        [Description("Image handle such as img1, or a detection such as img1#det2 to crop to its box")] string image,
        [Description("Box x1,y1,x2,y2 in pixels or a detection reference; empty when image is a detection")] string box = "",
        CancellationToken cancellationToken = default)
    {
        var target = _masks.ResolveImage(image);
        PixelBox region;
        if (!string.IsNullOrWhiteSpace(box) && context.Images.TryGetRegion(box, out var named)) region = named.Box;
        else if (!string.IsNullOrWhiteSpace(box) && PixelBox.TryParse(box, out var parsed)) region = parsed;
        else if (string.IsNullOrWhiteSpace(box) && target.Region is { } own) region = own.Box;
        else throw new BadInputException($"crop needs a box x1,y1,x2,y2 or a detection such as {target.Image.Handle}#det1, not '{box}'");
        cancellationToken.ThrowIfCancellationRequested();
        var edited = ImageEdits.Crop(target.Image.Path, region, context.Images.NewOutputPath(target.Image.Handle, "edit"), Loader);
        return Task.FromResult(Produce(target.Image, edited, "crop", new Dictionary<string, string> { ["box"] = region.ToString() },
            $"{target.Image.Handle} cropped to {region}"));
    }

    [ExpertData(typeof(EditRecord))]
    [KernelFunction("resize"), Description("Resize an image to a width and/or height (aspect kept when one is given) or by a scale factor.")]
    public Task<ExpertResult> ResizeAsync(
        [Description("Image handle such as img1")] string image,
        [Description("Target width in pixels; 0 = from height or scale")] int width = 0,
        [Description("Target height in pixels; 0 = from width or scale")] int height = 0,
        [Description("Scale factor such as 0.5; used when width and height are 0")] float scale = 0,
        CancellationToken cancellationToken = default)
    {
        var source = _masks.ResolveImage(image).Image;
        if (width < 0 || height < 0 || scale < 0) throw new BadInputException("width, height and scale must not be negative");
        (int W, int H) size = (width, height, scale) switch
        {
            ( > 0, > 0, _) => (width, height),
            ( > 0, 0, _) => (width, Math.Max(1, (int)Math.Round((double)source.Height * width / source.Width))),
            (0, > 0, _) => (Math.Max(1, (int)Math.Round((double)source.Width * height / source.Height)), height),
            (0, 0, > 0) => (Math.Max(1, (int)Math.Round(source.Width * scale)), Math.Max(1, (int)Math.Round(source.Height * scale))),
            _ => throw new BadInputException("resize needs width, height or scale"),
        };
        // The result must stay readable by the same guarded loader that every expert uses.
        var limits = Loader.Limits;
        if (size.W > limits.MaxWidth || size.H > limits.MaxHeight || (long)size.W * size.H > limits.MaxPixels)
            throw new BadInputException($"resize to {size.W}x{size.H} is too large (at most {limits.MaxWidth}x{limits.MaxHeight}, {limits.MaxPixels / 1_000_000} megapixels)");
        cancellationToken.ThrowIfCancellationRequested();
        var edited = ImageEdits.Resize(source.Path, size.W, size.H, context.Images.NewOutputPath(source.Handle, "edit"), Loader);
        return Task.FromResult(Produce(source, edited, "resize",
            new Dictionary<string, string> { ["width"] = Invariant(size.W), ["height"] = Invariant(size.H) },
            $"{source.Handle} resized from {source.Width}x{source.Height}"));
    }

    [ExpertData(typeof(EditRecord))]
    [KernelFunction("rotate"), Description("Rotate an image clockwise by some degrees; the canvas grows to fit, new corners are transparent.")]
    public Task<ExpertResult> RotateAsync(
        [Description("Image handle such as img1")] string image,
        [Description("Clockwise angle in degrees (90, 180, 270 are exact)")] float degrees = 90,
        CancellationToken cancellationToken = default)
    {
        var source = _masks.ResolveImage(image).Image;
        if (!float.IsFinite(degrees)) throw new BadInputException("degrees must be a number");
        cancellationToken.ThrowIfCancellationRequested();
        var edited = ImageEdits.Rotate(source.Path, degrees, context.Images.NewOutputPath(source.Handle, "edit"), Loader);
        return Task.FromResult(Produce(source, edited, "rotate", new Dictionary<string, string> { ["degrees"] = Invariant(degrees) },
            $"{source.Handle} rotated {Invariant(degrees)} degrees clockwise"));
    }

    [ExpertData(typeof(EditRecord))]
    [KernelFunction("adjust"), Description("Adjust brightness, contrast and saturation; each is a factor where 1 means unchanged (1.2 = 20% more, 0.8 = 20% less).")]
    public Task<ExpertResult> AdjustAsync(
        [Description("Image handle such as img1")] string image,
        [Description("Brightness factor, 1 = unchanged")] float brightness = 1,
        [Description("Contrast factor, 1 = unchanged")] float contrast = 1,
        [Description("Saturation factor, 1 = unchanged, 0 = greyscale")] float saturation = 1,
        CancellationToken cancellationToken = default)
    {
        var source = _masks.ResolveImage(image).Image;
        foreach (var (name, value) in new[] { ("brightness", brightness), ("contrast", contrast), ("saturation", saturation) })
        {
            if (!float.IsFinite(value) || value < 0 || value > 10)
                throw new BadInputException($"{name} must be a factor between 0 and 10 (1 = unchanged), not {Invariant(value)}");
        }
        cancellationToken.ThrowIfCancellationRequested();
        var edited = ImageEdits.Adjust(source.Path, brightness, contrast, saturation, context.Images.NewOutputPath(source.Handle, "edit"), Loader);
        return Task.FromResult(Produce(source, edited, "adjust",
            new Dictionary<string, string> { ["brightness"] = Invariant(brightness), ["contrast"] = Invariant(contrast), ["saturation"] = Invariant(saturation) },
            $"{source.Handle} adjusted (brightness x{Invariant(brightness)}, contrast x{Invariant(contrast)}, saturation x{Invariant(saturation)})"));
    }

    [ExpertData(typeof(EditRecord))]
    [KernelFunction("inpaint"), Description("Repaint the masked part of an image from a text prompt with Stable Diffusion inpainting (\"replace the sky with a sunset\"). Pixels outside the mask are kept exactly.")]
    public async Task<ExpertResult> InpaintAsync(
        [Description("Image handle such as img1 (or a detection such as img1#det2 to repaint its box)")] string image,
        [Description("What to repaint: a mask handle from segment, a detection such as img1#det2, or a box x1,y1,x2,y2")] string mask = "",
        [Description("What to paint there")] string prompt = "",
        [Description("What to avoid")] string negative_prompt = "",
        [Description("Denoising steps; 0 = configured default")] int steps = 0,
        [Description("Guidance scale; 0 = configured default (7.5)")] float guidance = 0,
        [Description("Random seed; the same seed gives the same image")] long seed = 0,
        [Description("1 = paint from noise; lower keeps more of the original inside the mask")] float strength = 1,
        [Description("ddim or euler_a; empty = configured default")] string scheduler = "",
        CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(prompt)) throw new BadInputException("inpaint needs a prompt describing what to paint");
        var target = _masks.ResolveImage(image);
        var region = await _masks.ResolveAsync(target, mask, "inpaint", allowSalient: false, cancellationToken);
        var options = DiffusionOptions(prompt, negative_prompt, steps, guidance, seed, strength, scheduler);
        var (edited, run) = await RunDiffusionAsync(target.Image, region.Mask, options, cancellationToken);
        var parameters = DiffusionParameters(options, region.Source);
        return Produce(target.Image, edited, "inpaint", parameters,
            $"{target.Image.Handle} with {region.Source} repainted as \"{Shorten(prompt)}\" ({run.StepsRun} {run.Scheduler} steps, seed {options.Seed})",
            region.Source, "diffusion", Timings(run));
    }

    [ExpertData(typeof(EditRecord))]
    [KernelFunction("remove"), Description("Remove an object (given by a mask, detection or box) and fill the hole with background. Uses Stable Diffusion inpainting when installed, otherwise a non-generative fill from the surroundings.")]
    public async Task<ExpertResult> RemoveAsync(
        [Description("Image handle such as img1 (or a detection such as img1#det2 to remove)")] string image,
        [Description("What to remove: a mask handle from segment, a detection such as img1#det2, or a box x1,y1,x2,y2")] string mask = "",
        [Description("Random seed for the diffusion fill")] long seed = 0,
        CancellationToken cancellationToken = default)
    {
        var target = _masks.ResolveImage(image);
        var region = await _masks.ResolveAsync(target, mask, "remove", allowSalient: false, cancellationToken);
        // Masks hug the object; growing them a little keeps its outline and shadow edge out of the fill.
        var grown = region.Mask.Dilate(context.SettingInt("remove_grow_px", min: 0) ?? 4);
        if (grown.Area == grown.Width * grown.Height)
            throw new BadInputException($"the mask {region.Source} covers all of {target.Image.Handle}: there is nothing left to fill the hole from");
        var parameters = new Dictionary<string, string> { ["mask"] = region.Source };
        if (DiffusionInstalled())
        {
            var options = DiffusionOptions(context.Setting("remove_prompt") ?? "background", context.Setting("remove_negative_prompt") ?? "", 0, 0, seed, 1, "");
            var (edited, run) = await RunDiffusionAsync(target.Image, grown, options, cancellationToken);
            foreach (var (key, value) in DiffusionParameters(options, region.Source)) parameters[key] = value;
            parameters["method"] = "diffusion";
            return Produce(target.Image, edited, "remove", parameters,
                $"{target.Image.Handle} with {region.Source} removed by diffusion inpainting ({run.StepsRun} steps)", region.Source, "diffusion", Timings(run));
        }
        cancellationToken.ThrowIfCancellationRequested();
        var filled = MaskFill.Fill(target.Image.Path, grown, context.Images.NewOutputPath(target.Image.Handle, "edit"), Loader);
        parameters["method"] = "fill";
        return Produce(target.Image, filled, "remove", parameters,
            $"{target.Image.Handle} with {region.Source} removed by a non-generative fill from the surroundings (diffusion models not installed: visionagent models fetch edit)",
            region.Source, "fill");
    }

    private bool DiffusionInstalled() => DiffusionModels.All(m => context.Models.IsAvailable(Expert, m));

    private InpaintOptions DiffusionOptions(string prompt, string negativePrompt, int steps, float guidance, long seed, float strength, string scheduler)
    {
        var name = string.IsNullOrWhiteSpace(scheduler) ? context.Setting("scheduler") ?? "ddim" : scheduler.Trim();
        if (DiffusionSchedulers.Create(name) is null)
            throw new BadInputException($"unknown scheduler '{name}': use {string.Join(" or ", DiffusionSchedulers.Names)}");
        var stepCount = steps > 0 ? steps : context.SettingInt("steps", 1, InpaintPipeline.MaxSteps) ?? 25;
        if (stepCount > InpaintPipeline.MaxSteps) throw new BadInputException($"steps must be at most {InpaintPipeline.MaxSteps}, not {stepCount}");
        if (!float.IsFinite(strength) || strength <= 0 || strength > 1) throw new BadInputException($"strength must be in (0, 1], not {Invariant(strength)}");
        return new InpaintOptions
        {
            Prompt = prompt,
            NegativePrompt = negativePrompt,
            Steps = stepCount,
            Guidance = guidance > 0 ? guidance : context.SettingFloat("guidance", min: 0) ?? 7.5f,
            Seed = seed,
            Strength = strength,
            Scheduler = name,
            UnloadUnetAfterUse = context.SettingBool("unload_unet_after_use") ?? true,
        };
    }

    private async Task<(EditedImage Edited, InpaintRun Run)> RunDiffusionAsync(
        Abstractions.ImageRecord image, BinaryMask mask, InpaintOptions options, CancellationToken cancellationToken)
    {
        var pipeline = await GetPipelineAsync(cancellationToken);
        using var canvas = InpaintCanvas.Load(image.Path, mask, context.SettingInt("native_size", min: 64) ?? 512, Loader);
        var pixels = canvas.ImageTensor();
        var maskTensor = canvas.MaskTensor();
        var run = await Task.Run(
            () => pipeline.Run(pixels, maskTensor, canvas.Width, canvas.Height, options, context.Progress, cancellationToken),
            cancellationToken);
        var edited = canvas.Composite(run.Decoded, context.Images.NewOutputPath(image.Handle, "edit"));
        return (edited, run);
    }

    private async Task<InpaintPipeline> GetPipelineAsync(CancellationToken cancellationToken)
    {
        var paths = new string[DiffusionModels.Length];
        for (var i = 0; i < paths.Length; i++)
            paths[i] = await context.Models.GetPathAsync(Expert, DiffusionModels[i], cancellationToken);
        var files = new InpaintModelFiles(paths[0], paths[1], paths[2], paths[3], paths[4], paths[5]);
        lock (_pipelineGate)
        {
            if (_pipeline is null || _pipeline.Files != files)
                _pipeline = new InpaintPipeline(context.GetRequiredService<OnnxSessionPool>(), files, Expert);
            return _pipeline;
        }
    }

    private ExpertResult Produce(Abstractions.ImageRecord parent, EditedImage edited, string operation, Dictionary<string, string> parameters,
        string observation, string? mask = null, string? method = null, DiffusionTimings? timings = null)
    {
        var record = context.Images.AddProduced(edited.Path, parent.Handle, $"{Expert}.{operation}", "edit", parameters);
        return new ExpertResult
        {
            Observation = $"{record.Handle}: {observation}; {record.Width}x{record.Height}",
            Data = new EditRecord(record.Handle, parent.Handle, record.Operation ?? operation, record.Width, record.Height, record.Path,
                record.Parameters, mask, method, timings),
            Images = [record],
        };
    }

    private static Dictionary<string, string> DiffusionParameters(InpaintOptions options, string mask) => new()
    {
        ["mask"] = mask,
        ["prompt"] = options.Prompt,
        ["negative_prompt"] = options.NegativePrompt,
        ["steps"] = Invariant(options.Steps),
        ["guidance"] = Invariant(options.Guidance),
        ["seed"] = Invariant(options.Seed),
        ["strength"] = Invariant(options.Strength),
        ["scheduler"] = options.Scheduler,
    };

    private static DiffusionTimings Timings(InpaintRun run) =>
        new(run.StepsRun, run.Scheduler, Math.Round(run.UnetMilliseconds, 1), Math.Round(run.StepOverheadMilliseconds, 1), Math.Round(run.TotalMilliseconds, 1));

    private static string Invariant(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";
}
