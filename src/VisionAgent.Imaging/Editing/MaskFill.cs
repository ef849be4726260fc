using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using VisionAgent.Imaging.Masks;

namespace VisionAgent.Imaging.Editing;

/// <summary>
/// Non-generative object removal: the selected pixels are filled from the mask border inwards
/// ("onion peeling", each ring a distance-weighted average of the already known pixels around it,
/// in the spirit of Telea's fast marching inpainting), then smoothed by a few passes of Laplace
/// relaxation with the unselected pixels held fixed. It suits small objects on smooth or textured
/// backgrounds; large regions come out blurry. Pixels outside the mask are left byte-identical.
/// </summary>
public static class MaskFill
{
    private const int Radius = 2;
    private const int RelaxationPasses = 40;

    public static EditedImage Fill(string imagePath, BinaryMask mask, string outputPath, ImageLoader loader)
    {
        using var image = loader.Load<Rgba32>(imagePath);
        var fitted = mask.ResizeNearest(image.Width, image.Height);
        var pixels = new Rgba32[image.Width * image.Height];
        image.CopyPixelDataTo(pixels);
        FillInPlace(pixels, image.Width, image.Height, fitted);
        using var result = Image.LoadPixelData<Rgba32>(pixels, image.Width, image.Height);
        OutputImage.Save(result, outputPath, EditPng.Encoder);
        return new EditedImage(outputPath, image.Width, image.Height);
    }

    /// <summary>Fills the selected pixels of a row-major RGBA buffer; unselected pixels are not written.</summary>
    public static void FillInPlace(Span<Rgba32> pixels, int width, int height, BinaryMask mask)
    {
        var count = width * height;
        var r = new float[count];
        var g = new float[count];
        var b = new float[count];
        var known = new bool[count];
        for (var i = 0; i < count; i++)
        {
            r[i] = pixels[i].R;
            g[i] = pixels[i].G;
            b[i] = pixels[i].B;
            known[i] = mask.Pixels[i] == 0;
        }
        if (!known.Contains(true)) return;

        var ring = new List<int>();
        for (var i = 0; i < count; i++)
        {
            if (!known[i] && HasKnownNeighbour(known, width, height, i)) ring.Add(i);
        }
        var queued = new bool[count];
        foreach (var i in ring) queued[i] = true;
        var values = new List<(int Index, float R, float G, float B)>();
        while (ring.Count > 0)
        {
            values.Clear();
            foreach (var i in ring)
            {
                int x = i % width, y = i / width;
                float sr = 0, sg = 0, sb = 0, sw = 0;
                for (var dy = -Radius; dy <= Radius; dy++)
                {
                    for (var dx = -Radius; dx <= Radius; dx++)
                    {
                        int nx = x + dx, ny = y + dy;
                        if ((dx == 0 && dy == 0) || nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
                        var n = (ny * width) + nx;
                        if (!known[n]) continue;
                        var w = 1f / ((dx * dx) + (dy * dy));
                        sr += w * r[n];
                        sg += w * g[n];
                        sb += w * b[n];
                        sw += w;
                    }
                }
                values.Add((i, sr / sw, sg / sw, sb / sw));
            }
            var next = new List<int>();
            foreach (var (i, vr, vg, vb) in values)
            {
                r[i] = vr;
                g[i] = vg;
                b[i] = vb;
                known[i] = true;
            }
            foreach (var (i, _, _, _) in values)
            {
                int x = i % width, y = i / width;
                for (var dy = -1; dy <= 1; dy++)
                {
                    for (var dx = -1; dx <= 1; dx++)
                    {
                        int nx = x + dx, ny = y + dy;
                        if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
                        var n = (ny * width) + nx;
                        if (known[n] || queued[n]) continue;
                        queued[n] = true;
                        next.Add(n);
                    }
                }
            }
            ring = next;
        }

        Relax(r, g, b, width, height, mask);
        for (var i = 0; i < count; i++)
        {
            if (mask.Pixels[i] == 0) continue;
            pixels[i] = new Rgba32(ToByte(r[i]), ToByte(g[i]), ToByte(b[i]), 255);
        }
    }

    private static void Relax(float[] r, float[] g, float[] b, int width, int height, BinaryMask mask)
    {
        var selected = new List<int>();
        for (var i = 0; i < mask.Pixels.Length; i++)
        {
            if (mask.Pixels[i] != 0) selected.Add(i);
        }
        for (var pass = 0; pass < RelaxationPasses; pass++)
        {
            foreach (var i in selected)
            {
                int x = i % width, y = i / width;
                float sr = 0, sg = 0, sb = 0;
                var n = 0;
                if (x > 0) { sr += r[i - 1]; sg += g[i - 1]; sb += b[i - 1]; n++; }
                if (x < width - 1) { sr += r[i + 1]; sg += g[i + 1]; sb += b[i + 1]; n++; }
                if (y > 0) { sr += r[i - width]; sg += g[i - width]; sb += b[i - width]; n++; }
                if (y < height - 1) { sr += r[i + width]; sg += g[i + width]; sb += b[i + width]; n++; }
                r[i] = sr / n;
                g[i] = sg / n;
                b[i] = sb / n;
            }
        }
    }

    private static bool HasKnownNeighbour(bool[] known, int width, int height, int i)
    {
        int x = i % width, y = i / width;
        for (var dy = -1; dy <= 1; dy++)
        {
            for (var dx = -1; dx <= 1; dx++)
            {
                int nx = x + dx, ny = y + dy;
                if (nx >= 0 && ny >= 0 && nx < width && ny < height && known[(ny * width) + nx]) return true;
            }
        }
        return false;
    }

    private static byte ToByte(float value) => (byte)Math.Clamp((int)MathF.Round(value), 0, 255);
}
