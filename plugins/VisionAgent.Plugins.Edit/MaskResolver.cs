using VisionAgent.Abstractions;
using VisionAgent.Imaging;
using VisionAgent.Imaging.Masks;

namespace VisionAgent.Plugins.Edit;

/// <summary>An image to edit, and the region it was named by when the caller passed a reference such as img1#det2.</summary>
internal sealed record EditTarget(ImageRecord Image, RegionRecord? Region);

/// <summary>A mask fitted to the image, and where it came from (for the observation and provenance).</summary>
internal sealed record ResolvedMask(BinaryMask Mask, string Source);

/// <summary>
/// Turns the mask argument into pixels: a mask image handle (from the segment expert), a detection reference
/// (its box), an explicit box "x1,y1,x2,y2", or, when allowed, the host's salient-object segmenter.
/// </summary>
internal sealed class MaskResolver(ExpertContext context)
{
    public EditTarget ResolveImage(string image)
    {
        if (string.IsNullOrWhiteSpace(image))
            throw new BadInputException("image is required (a handle such as img1)");
        if (context.Images.TryGetRegion(image, out var region))
            return new EditTarget(context.Images.Get(region.ImageHandle), region);
        return new EditTarget(context.Images.Get(image), null);
    }

    public async Task<ResolvedMask> ResolveAsync(EditTarget target, string? mask, string operation, bool allowSalient, CancellationToken cancellationToken)
    {
        var image = target.Image;
        var resolved = string.IsNullOrWhiteSpace(mask)
            ? await DefaultMaskAsync(target, operation, allowSalient, cancellationToken)
            : FromArgument(image, mask.Trim());
        if (resolved.Mask.Area == 0)
            throw new BadInputException($"the mask {resolved.Source} selects no pixels of {image.Handle}");
        return resolved;
    }

    private ResolvedMask FromArgument(ImageRecord image, string mask)
    {
        if (context.Images.TryGetRegion(mask, out var region))
            return new ResolvedMask(BinaryMask.FromBox(image.Width, image.Height, ScaleBox(region, image)), region.Reference);
        if (context.Images.TryGet(mask, out var maskImage))
            return new ResolvedMask(LoadFitted(maskImage.Path, image), maskImage.Handle);
        if (PixelBox.TryParse(mask, out var box))
            return new ResolvedMask(BinaryMask.FromBox(image.Width, image.Height, box), $"box {box}");
        throw new BadInputException(
            $"mask '{mask}' is not a mask handle, a detection reference (img1#det2) or a box x1,y1,x2,y2; known handles: " +
            string.Join(", ", context.Images.Images.Select(i => i.Handle)));
    }

    private async Task<ResolvedMask> DefaultMaskAsync(EditTarget target, string operation, bool allowSalient, CancellationToken cancellationToken)
    {
        var image = target.Image;
        if (target.Region is { } region)
            return new ResolvedMask(BinaryMask.FromBox(image.Width, image.Height, region.Box), region.Reference);
        if (!allowSalient)
            throw new BadInputException(
                $"edit.{operation} needs a mask: a mask handle from the segment expert, a detection such as {image.Handle}#det1, or a box x1,y1,x2,y2");
        if (context.Services.GetService(typeof(IMaskProvider)) is not IMaskProvider provider)
            throw new BadInputException(
                $"edit.{operation} needs a mask of the subject and no segmenter is installed to make one: run the segment expert first " +
                $"(visionagent models fetch segment) and pass mask=<its handle>, or pass a detection such as {image.Handle}#det1 or a box x1,y1,x2,y2");
        var record = await provider.GetSalientMaskAsync(image.Handle, cancellationToken);
        return new ResolvedMask(LoadFitted(record.Path, image), $"{record.Handle} (salient object by segment)");
    }

    // A mask PNG selects by luminance, a cut-out (RGBA) by its alpha; either may come from a differently sized image.
    private BinaryMask LoadFitted(string path, ImageRecord image) =>
        MaskFiles.LoadMask(path, context.GetRequiredService<ImageLoader>(), MaskChannel.Auto).ResizeNearest(image.Width, image.Height);

    // A detection made on a differently sized image of the same scene (a parent or a resized copy): scale its box.
    private ImageRecord? RegionImage(RegionRecord region) =>
        context.Images.TryGet(region.ImageHandle, out var record) ? record : null;

    private PixelBox ScaleBox(RegionRecord region, ImageRecord image)
    {
        var source = RegionImage(region);
        if (source is null || (source.Width == image.Width && source.Height == image.Height)) return region.Box;
        var sx = (float)image.Width / source.Width;
        var sy = (float)image.Height / source.Height;
        return new PixelBox(region.Box.X1 * sx, region.Box.Y1 * sy, region.Box.X2 * sx, region.Box.Y2 * sy);
    }
}
