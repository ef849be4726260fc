using VisionAgent.Abstractions;

namespace VisionAgent.Plugins.Ocr.Tests;

public sealed class ReadingOrderTests
{
    private static OcrLine Line(string text, float x1, float y1, float x2, float y2) => new(text, 0.9f, [], new PixelBox(x1, y1, x2, y2));

    [Fact]
    public void Rows_go_top_to_bottom_and_lines_in_a_row_left_to_right()
    {
        OcrLine[] lines =
        [
            Line("right", 300, 12, 400, 32),
            Line("second", 10, 60, 200, 80),
            Line("left", 10, 10, 100, 30),
            Line("middle", 150, 14, 250, 31),
        ];

        var ordered = ReadingOrder.Sort(lines);

        Assert.Equal(["left", "middle", "right", "second"], ordered.Select(l => l.Text));
        Assert.Equal([0, 0, 0, 1], ordered.Select(l => l.Row));
        Assert.Equal("left middle right\nsecond", ReadingOrder.FullText(ordered));
    }

    [Fact]
    public void Barely_overlapping_lines_stay_in_separate_rows()
    {
        var ordered = ReadingOrder.Sort([Line("lower", 0, 18, 100, 38), Line("upper", 50, 0, 150, 20)]);

        Assert.Equal(["upper", "lower"], ordered.Select(l => l.Text));
        Assert.Equal([0, 1], ordered.Select(l => l.Row));
    }
}
