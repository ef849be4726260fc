using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using VisionAgent.Imaging;
using VisionAgent.Abstractions;
using VisionAgent.Imaging.Masks;
using VisionAgent.Testing;

namespace VisionAgent.Imaging.Tests.Masks;

public sealed class MaskTests : IDisposable
{
    private readonly TestExpertHost _host = new();

    private static BinaryMask Draw(int width, int height, params PixelBox[] boxes)
    {
        var pixels = new byte[width * height];
        foreach (var box in boxes)
        {
            for (var y = (int)box.Y1; y < (int)box.Y2; y++)
            {
                for (var x = (int)box.X1; x < (int)box.X2; x++) pixels[(y * width) + x] = 1;
            }
        }
        return new BinaryMask(width, height, pixels);
    }

    [Fact]
    public void Scores_above_the_threshold_are_inside_and_area_box_and_coverage_follow()
    {
        float[] scores = [0f, 0.5f, 0.51f, 0.9f, 0f, 0f];

        var mask = BinaryMask.FromScores(scores, 3, 2, 0.5f);

        Assert.Equal([0, 0, 255, 255, 0, 0], mask.Pixels.ToArray());
        Assert.Equal(2, mask.Area);
        Assert.Equal(2.0 / 6, mask.Coverage, 6);
        Assert.Equal(new PixelBox(0, 0, 3, 2), mask.Bounds());
        Assert.Null(BinaryMask.Empty(3, 2).Bounds());
    }

    [Fact]
    public void Bilinear_resize_samples_pixel_centres_like_align_corners_false()
    {
        float[] scores = [0f, 1f, 0f, 1f];

        var resized = MaskResampler.Resize(scores, 2, 2, 4, 1);

        Assert.Equal([0f, 0.25f, 0.75f, 1f], resized);
    }

    [Fact]
    public void Resize_to_mask_agrees_with_resize_then_threshold()
    {
        var random = new Random(7);
        var scores = Enumerable.Range(0, 37 * 23).Select(_ => (float)random.NextDouble()).ToArray();

        var direct = MaskResampler.ResizeToMask(scores, 37, 23, 101, 67, 0.5f);
        var reference = BinaryMask.FromScores(MaskResampler.Resize(scores, 37, 23, 101, 67), 101, 67, 0.5f);

        Assert.Equal(reference.Pixels.ToArray(), direct.Pixels.ToArray());
        Assert.InRange(direct.Coverage, 0.2, 0.8);
    }

    [Fact]
    public void Regions_are_eight_connected_sorted_and_filtered_by_area()
    {
        var mask = Draw(20, 10, new PixelBox(0, 0, 4, 4), new PixelBox(4, 4, 5, 5), new PixelBox(10, 0, 20, 10), new PixelBox(7, 8, 8, 9));

        var all = MaskRegions.Find(mask);
        var large = MaskRegions.Find(mask, minArea: 2);

        Assert.Equal([100, 17, 1], all.Select(r => r.Area));
        Assert.Equal(new PixelBox(10, 0, 20, 10), all[0].Box);
        Assert.Equal(new PixelBox(0, 0, 5, 5), all[1].Box);   // the corner-touching pixel joins the square
        Assert.Equal(2, large.Count);
    }

    [Fact]
    public void Dilate_grows_a_pixel_into_a_square_and_invert_swaps()
    {
        var mask = Draw(7, 7, new PixelBox(3, 3, 4, 4));

        var grown = mask.Dilate(2);

        Assert.Equal(25, grown.Area);
        Assert.Equal(new PixelBox(1, 1, 6, 6), grown.Bounds());
        Assert.Equal(49 - 1, mask.Invert().Area);
    }

    [Fact]
    public void A_box_mask_selects_the_pixels_whose_centres_lie_inside_the_clamped_box()
    {
        var mask = BinaryMask.FromBox(6, 4, new PixelBox(0.4f, 0.6f, 3.4f, 10f));

        Assert.Equal(9, mask.Area);
        Assert.Equal(new PixelBox(0, 1, 3, 4), mask.Bounds());
        Assert.Equal(0, BinaryMask.FromBox(6, 4, new PixelBox(5.6f, 0, 9, 4)).Area);
    }

    [Fact]
    public void Nearest_resize_and_coverage_of_a_region()
    {
        var mask = Draw(4, 2, new PixelBox(0, 0, 2, 2));

        var large = mask.ResizeNearest(8, 4);

        Assert.Equal(new PixelBox(0, 0, 4, 4), large.Bounds());
        Assert.Equal(1.0, large.CoverageOf(new PixelBox(0, 0, 4, 4)));
        Assert.Equal(0.5, large.CoverageOf(new PixelBox(2, 0, 6, 4)));
        Assert.Equal(0.5, large.IntersectionOverUnion(Draw(8, 4, new PixelBox(0, 0, 8, 4))));
    }

    [Fact]
    public void Mask_and_cutout_pngs_read_back_as_the_same_mask()
    {
        var mask = Draw(30, 20, new PixelBox(5, 5, 15, 12), new PixelBox(20, 0, 30, 3));
        using var image = new Image<Rgb24>(30, 20, new Rgb24(200, 100, 50));
        var maskPath = _host.PathFor("mask.png");
        var cutoutPath = _host.PathFor("cutout.png");
        var overlayPath = _host.PathFor("overlay.png");

        MaskFiles.SaveMask(mask, maskPath);
        MaskFiles.SaveCutout(image, mask, cutoutPath);
        MaskFiles.SaveOverlay(image, mask, overlayPath, new MaskOverlayStyle { OutlineWidth = 1, Opacity = 1 });

        Assert.Equal(mask.Pixels.ToArray(), MaskFiles.LoadMask(maskPath, new ImageLoader()).Pixels.ToArray());
        Assert.Equal(mask.Pixels.ToArray(), MaskFiles.LoadMask(cutoutPath, new ImageLoader()).Pixels.ToArray());
        Assert.Equal("PNG", new ImageLoader().Identify(maskPath).Format);
        using var overlay = new ImageLoader().LoadRgb(overlayPath);
        Assert.Equal(MaskOverlayStyle.Default.Outline, overlay[5, 8]);    // edge
        Assert.Equal(MaskOverlayStyle.Default.Tint, overlay[8, 8]);       // inside, fully tinted
        Assert.Equal(new Rgb24(200, 100, 50), overlay[2, 15]);          // outside
    }

    [Theory]
    [InlineData(1, 0.3)]
    [InlineData(2, 0.5)]
    [InlineData(3, 0.7)]
    public void Regions_match_a_flood_fill_on_random_masks(int seed, double density)
    {
        var random = new Random(seed);
        const int width = 53, height = 37;
        var pixels = Enumerable.Range(0, width * height).Select(_ => random.NextDouble() < density ? BinaryMask.Inside : (byte)0).ToArray();
        var mask = new BinaryMask(width, height, pixels);

        var found = MaskRegions.Find(mask);

        var expected = FloodFill(mask);
        Assert.Equal(expected.Count, found.Count);
        Assert.Equal(expected.Select(r => r.Area).OrderDescending(), found.Select(r => r.Area));
        Assert.Equal(expected.Select(r => (r.Area, r.Box.X1, r.Box.Y1, r.Box.X2, r.Box.Y2)).Order(), found.Select(r => (r.Area, r.Box.X1, r.Box.Y1, r.Box.X2, r.Box.Y2)).Order());
    }

    // The plain definition: grow each unvisited inside pixel's region through its eight neighbours.
    private static List<MaskRegion> FloodFill(BinaryMask mask)
    {
        var seen = new bool[mask.Width * mask.Height];
        var regions = new List<MaskRegion>();
        for (var start = 0; start < seen.Length; start++)
        {
            if (seen[start] || !mask[start % mask.Width, start / mask.Width]) continue;
            var queue = new Queue<int>([start]);
            seen[start] = true;
            int area = 0, minX = int.MaxValue, minY = int.MaxValue, maxX = 0, maxY = 0;
            while (queue.TryDequeue(out var at))
            {
                int x = at % mask.Width, y = at / mask.Width;
                (area, minX, minY, maxX, maxY) = (area + 1, Math.Min(minX, x), Math.Min(minY, y), Math.Max(maxX, x + 1), Math.Max(maxY, y + 1));
                for (var ny = y - 1; ny <= y + 1; ny++)
                {
                    for (var nx = x - 1; nx <= x + 1; nx++)
                    {
                        if (nx < 0 || ny < 0 || nx >= mask.Width || ny >= mask.Height) continue;
                        var next = (ny * mask.Width) + nx;
                        if (seen[next] || !mask[nx, ny]) continue;
                        seen[next] = true;
                        queue.Enqueue(next);
                    }
                }
            }
            regions.Add(new MaskRegion(area, new PixelBox(minX, minY, maxX, maxY)));
        }
        return regions;
    }

    [Fact]
    public void Mask_files_never_replace_an_existing_file()
    {
        var mask = Draw(8, 8, new PixelBox(2, 2, 6, 6));
        using var image = new Image<Rgb24>(8, 8, new Rgb24(1, 2, 3));
        var taken = _host.PathFor("taken.png");
        File.WriteAllText(taken, "earlier result");

        Assert.Throws<IOException>(() => MaskFiles.SaveMask(mask, taken));
        Assert.Throws<IOException>(() => MaskFiles.SaveCutout(image, mask, taken));
        Assert.Throws<IOException>(() => MaskFiles.SaveOverlay(image, mask, taken));

        Assert.Equal("earlier result", File.ReadAllText(taken));
        Assert.Equal(["taken.png"], Directory.GetFiles(Path.GetDirectoryName(taken)!, "*taken*", SearchOption.TopDirectoryOnly).Select(Path.GetFileName));
    }

    [Fact]
    public void Mismatched_sizes_are_refused()
    {
        using var image = new Image<Rgb24>(10, 10);

        Assert.Throws<ArgumentException>(() => MaskFiles.SaveCutout(image, BinaryMask.Empty(5, 5), _host.PathFor("x.png")));
        Assert.Throws<ArgumentException>(() => new BinaryMask(3, 3, new byte[8]));
    }

    public void Dispose() => _host.Dispose();
}
