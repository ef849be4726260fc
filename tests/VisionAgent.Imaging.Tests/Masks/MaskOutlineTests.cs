using VisionAgent.Imaging.Masks;

namespace VisionAgent.Imaging.Tests.Masks;

public sealed class MaskOutlineTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void Rows_match_the_distance_definition(int width)
    {
        var random = new Random(width + 7);
        const int w = 41, h = 29;
        var pixels = new byte[w * h];
        // Blobs with holes and specks, touching the border.
        for (var i = 0; i < pixels.Length; i++)
        {
            int x = i % w, y = i / w;
            var inBlob = ((x - 12) * (x - 12)) + ((y - 10) * (y - 10)) < 90 || (x > 25 && y > 5) || random.NextDouble() < 0.05;
            var inHole = x is > 30 and < 34 && y is > 12 and < 16;
            if (inBlob && !inHole) pixels[i] = BinaryMask.Inside;
        }
        var mask = new BinaryMask(w, h, pixels);
        var outline = new MaskOutline(mask, width);

        for (var y = 0; y < h; y++)
        {
            var row = outline.Row(y).ToArray();
            for (var x = 0; x < w; x++) Assert.Equal(Expected(mask, x, y, width), row[x]);
        }
    }

    [Fact]
    public void A_full_mask_has_no_outline_because_the_border_is_not_outside()
    {
        var mask = new BinaryMask(5, 4, Enumerable.Repeat(BinaryMask.Inside, 20).ToArray());
        var outline = new MaskOutline(mask, 2);

        for (var y = 0; y < 4; y++) Assert.DoesNotContain(true, outline.Row(y).ToArray());
    }

    // Inside, and some outside pixel of the image within Manhattan distance `width`.
    private static bool Expected(BinaryMask mask, int x, int y, int width)
    {
        if (!mask[x, y]) return false;
        for (var oy = 0; oy < mask.Height; oy++)
        {
            for (var ox = 0; ox < mask.Width; ox++)
            {
                if (!mask[ox, oy] && Math.Abs(ox - x) + Math.Abs(oy - y) <= width) return true;
            }
        }
        return false;
    }
}
