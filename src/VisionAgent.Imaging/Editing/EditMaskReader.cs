using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace VisionAgent.Imaging.Editing;

/// <summary>
/// Reads a mask image (greyscale, RGB or RGBA; white = selected, as the segment expert writes them):
/// a pixel is selected when its luminance and its alpha are both at least 128.
/// </summary>
public static class EditMaskReader
{
    public const byte Threshold = 128;

    /// <summary>Reads the mask and resizes it (nearest neighbour) to the image it applies to.</summary>
    public static EditMask Read(string path, int width, int height, ImageLoader? loader = null)
    {
        using var image = (loader ?? ImageLoader.Shared).Load<Rgba32>(path);
        var selected = new bool[image.Width * image.Height];
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (var x = 0; x < row.Length; x++)
                {
                    var p = row[x];
                    var luminance = ((299 * p.R) + (587 * p.G) + (114 * p.B)) / 1000;
                    selected[(y * rows.Width) + x] = luminance >= Threshold && p.A >= Threshold;
                }
            }
        });
        return new EditMask(image.Width, image.Height, selected).ResizeNearest(width, height);
    }

    /// <summary>Writes the mask as a black-and-white PNG.</summary>
    public static void Write(EditMask mask, string path)
    {
        using var image = new Image<L8>(mask.Width, mask.Height);
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (var x = 0; x < row.Length; x++)
                    row[x] = new L8(mask[x, y] ? (byte)255 : (byte)0);
            }
        });
        image.SaveAsPng(path);
    }
}
