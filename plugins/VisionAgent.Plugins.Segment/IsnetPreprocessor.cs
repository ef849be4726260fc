using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace VisionAgent.Plugins.Segment;

/// <summary>Turns an image into ISNet's input: RGB stretched to a square, (v - 128) / 256, planar [1,3,S,S].</summary>
public static class IsnetPreprocessor
{
    public static float[] ToInput(Image<Rgb24> image, int size)
    {
        ArgumentNullException.ThrowIfNull(image);
        var plane = size * size;
        var tensor = new float[3 * plane];
        using var resized = SamPreprocessor.Resize(image, size, size);
        resized.ProcessPixelRows(accessor =>
        {
            for (var y = 0; y < accessor.Height; y++)
            {
                var row = accessor.GetRowSpan(y);
                var r = tensor.AsSpan(y * size, size);
                var g = tensor.AsSpan(plane + (y * size), size);
                var b = tensor.AsSpan((2 * plane) + (y * size), size);
                for (var x = 0; x < row.Length; x++)
                {
                    r[x] = (row[x].R - 128f) / 256f;
                    g[x] = (row[x].G - 128f) / 256f;
                    b[x] = (row[x].B - 128f) / 256f;
                }
            }
        });
        return tensor;
    }
}
