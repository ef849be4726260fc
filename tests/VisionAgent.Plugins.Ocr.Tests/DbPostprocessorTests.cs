using System.Numerics;

namespace VisionAgent.Plugins.Ocr.Tests;

public sealed class DbPostprocessorTests
{
    private static float[] Map(int width, int height) => new float[width * height];

    private static void Fill(float[] map, int width, int x1, int y1, int x2, int y2, float value)
    {
        for (var y = y1; y < y2; y++)
            for (var x = x1; x < x2; x++) map[y * width + x] = value;
    }

    [Fact]
    public void Straight_region_becomes_an_unclipped_box_scaled_to_the_image()
    {
        // A 41x5 kernel: rectangle through pixel centres 40x4, area 160, perimeter 88 -> grown by 160*1.5/88 on each side.
        var map = Map(64, 32);
        Fill(map, 64, 10, 10, 51, 15, 0.9f);

        var boxes = DbPostprocessor.Extract(map, 64, 32, 128, 64, 0.3f, 0.6f, 1.5f);

        var box = Assert.Single(boxes);
        Assert.Equal(0.9f, box.Score, 4);
        var grow = 160f * 1.5f / 88f;
        Assert.Equal(MathF.Round((10 - grow) * 2), box.Quad.TopLeft.X);
        Assert.Equal(MathF.Round((10 - grow) * 2), box.Quad.TopLeft.Y);
        Assert.Equal(MathF.Round((50 + grow) * 2), box.Quad.BottomRight.X);
        Assert.Equal(MathF.Round((14 + grow) * 2), box.Quad.BottomRight.Y);
    }

    [Fact]
    public void Regions_below_the_box_threshold_and_specks_are_dropped()
    {
        var map = Map(64, 32);
        Fill(map, 64, 5, 5, 40, 10, 0.45f);   // above the pixel threshold, mean below the box threshold
        Fill(map, 64, 50, 20, 52, 22, 0.99f); // too small
        Fill(map, 64, 5, 20, 40, 26, 0.8f);

        var boxes = DbPostprocessor.Extract(map, 64, 32, 64, 32, 0.3f, 0.6f, 1.5f);

        var box = Assert.Single(boxes);
        Assert.Equal(0.8f, box.Score, 4);
        Assert.True(box.Quad.TopLeft.Y < 20 && box.Quad.BottomLeft.Y > 25);
    }

    [Fact]
    public void Separate_lines_give_separate_boxes_and_diagonal_pixels_connect()
    {
        var map = Map(80, 40);
        Fill(map, 80, 5, 5, 60, 9, 0.9f);
        Fill(map, 80, 5, 25, 60, 29, 0.9f);
        map[9 * 80 + 60] = 0.9f; // touches the first line only diagonally

        var boxes = DbPostprocessor.Extract(map, 80, 40, 80, 40, 0.3f, 0.6f, 1.5f);

        Assert.Equal(2, boxes.Count);
        Assert.True(boxes[0].Quad.BottomRight.Y < boxes[1].Quad.TopRight.Y);
    }

    [Fact]
    public void Tilted_region_gets_a_rotated_rectangle()
    {
        var map = Map(100, 60);
        for (var x = 10; x < 90; x++)
        {
            var y0 = 20 + (x - 10) / 4; // a line rising 1 pixel every 4 columns, 4 pixels thick
            for (var y = y0; y < y0 + 4; y++) map[y * 100 + x] = 0.95f;
        }

        var box = Assert.Single(DbPostprocessor.Extract(map, 100, 60, 100, 60, 0.3f, 0.6f, 1.5f));

        var slope = (box.Quad.TopRight.Y - box.Quad.TopLeft.Y) / (box.Quad.TopRight.X - box.Quad.TopLeft.X);
        Assert.InRange(slope, 0.2f, 0.3f);
        Assert.True(box.Quad.Height < 14, $"height {box.Quad.Height}");
    }

    [Fact]
    public void Min_area_rectangle_of_a_rotated_square_is_the_square()
    {
        var points = new List<Vector2> { new(0, 5), new(5, 0), new(10, 5), new(5, 10), new(5, 5) };
        var hull = new List<Vector2>();

        DbPostprocessor.ConvexHull(points, hull);
        var rect = DbPostprocessor.MinAreaRectangle(hull);

        Assert.Equal(4, hull.Count);
        Assert.Equal(50f, rect.Width * rect.Height, 3);
        Assert.Equal(new Vector2(5, 5), rect.Center);
    }
}
