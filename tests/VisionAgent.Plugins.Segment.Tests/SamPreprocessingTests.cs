using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using VisionAgent.Abstractions;

namespace VisionAgent.Plugins.Segment.Tests;

public sealed class SamPreprocessingTests
{
    [Theory]
    [InlineData(451, 300, 1024, 681)]
    [InlineData(300, 451, 681, 1024)]
    [InlineData(1500, 2250, 683, 1024)]
    [InlineData(1024, 1024, 1024, 1024)]
    public void Long_side_is_resized_to_1024_rounding_like_get_preprocess_shape(int width, int height, int resizedWidth, int resizedHeight)
    {
        var frame = SamImageFrame.For(width, height, 1024);

        Assert.Equal(resizedWidth, frame.ResizedWidth);
        Assert.Equal(resizedHeight, frame.ResizedHeight);
    }

    [Fact]
    public void Nchw_input_is_normalised_per_channel_and_zero_padded_bottom_right()
    {
        using var image = new Image<Rgb24>(4, 2, new Rgb24(10, 20, 30));
        var frame = SamImageFrame.For(4, 2, 8);
        float[] mean = [123.675f, 116.28f, 103.53f];
        float[] std = [58.395f, 57.12f, 57.375f];

        var tensor = SamPreprocessor.ToNchw(image, frame, mean, std);

        Assert.Equal(3 * 8 * 8, tensor.Length);
        for (var c = 0; c < 3; c++)
        {
            var expected = (new[] { 10f, 20f, 30f }[c] - mean[c]) / std[c];
            for (var y = 0; y < 8; y++)
            {
                for (var x = 0; x < 8; x++)
                {
                    var value = tensor[(c * 64) + (y * 8) + x];
                    if (y < 4) Assert.Equal(expected, value, 4);
                    else Assert.Equal(0f, value);
                }
            }
        }
    }

    [Fact]
    public void Nchw_input_keeps_rgb_order_and_left_right()
    {
        using var image = new Image<Rgb24>(16, 16);
        for (var y = 0; y < 16; y++)
        {
            for (var x = 0; x < 16; x++) image[x, y] = x < 8 ? new Rgb24(255, 0, 0) : new Rgb24(0, 0, 255);
        }
        var frame = SamImageFrame.For(16, 16, 16);

        var tensor = SamPreprocessor.ToNchw(image, frame, [0f, 0f, 0f], [1f, 1f, 1f]);

        Assert.Equal(255f, tensor[0]);          // red plane, (0,0)
        Assert.Equal(0f, tensor[15]);           // red plane, (15,0)
        Assert.Equal(0f, tensor[(2 * 256) + 0]);  // blue plane, (0,0)
        Assert.Equal(255f, tensor[(2 * 256) + 15]); // blue plane, (15,0)
    }

    [Fact]
    public void Hwc_input_is_raw_rgb_interleaved_and_zero_padded()
    {
        using var image = new Image<Rgb24>(2, 4, new Rgb24(10, 20, 30));
        var frame = SamImageFrame.For(2, 4, 8);

        var tensor = SamPreprocessor.ToHwc(image, frame);

        Assert.Equal(4, frame.ResizedWidth);
        Assert.Equal([10f, 20f, 30f], tensor[..3]);
        Assert.Equal([10f, 20f, 30f], tensor[(3 * 3)..(3 * 4)]);   // (3,0): last resized column
        Assert.Equal([0f, 0f, 0f], tensor[(3 * 4)..(3 * 5)]);     // (4,0): padding
        Assert.Equal([10f, 20f, 30f], tensor[(7 * 8 * 3)..((7 * 8 * 3) + 3)]); // (0,7): the resized image is 4x8
        Assert.Equal([0f, 0f, 0f], tensor[^3..]);                             // (7,7): padding
    }

    [Fact]
    public void Points_and_box_map_into_the_resized_frame_with_labels_and_no_padding_point()
    {
        var frame = SamImageFrame.For(451, 300, 1024);
        var prompt = new SegmentPrompt(
            [new PromptPoint(100, 50, true), new PromptPoint(400, 250, false)],
            new PixelBox(10, 20, 300, 290), null);

        var (coordinates, labels) = prompt.Encode(frame);

        var sx = 1024.0 / 451;
        var sy = 681.0 / 300;
        Assert.Equal([1f, 0f, 2f, 3f], labels);
        float[] expected = [(float)(100 * sx), (float)(50 * sy), (float)(400 * sx), (float)(250 * sy), (float)(10 * sx), (float)(20 * sy), (float)(300 * sx), (float)(290 * sy)];
        Assert.Equal(expected.Length, coordinates.Length);
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], coordinates[i], 3);
    }

    [Fact]
    public void Points_without_a_box_end_with_the_padding_point()
    {
        var frame = SamImageFrame.For(200, 100, 1024);
        var prompt = new SegmentPrompt([new PromptPoint(50, 25, true)], null, null);

        var (coordinates, labels) = prompt.Encode(frame);

        Assert.Equal([1f, -1f], labels);
        Assert.Equal([256f, 128f, 0f, 0f], coordinates);
    }

    [Theory]
    [InlineData("12,5", 1)]
    [InlineData("12,5;30,40", 2)]
    [InlineData(" (12, 5) | [30 40] ", 2)]
    public void Point_lists_parse(string text, int count)
    {
        var points = SegmentPrompt.ParsePoints(text, true, 100, 100, "point");

        Assert.Equal(count, points.Count);
        Assert.Equal(new PromptPoint(12, 5, true), points[0]);
    }

    [Theory]
    [InlineData("12")]
    [InlineData("a,b")]
    [InlineData("120,5")]
    public void Bad_points_are_bad_input(string text)
    {
        Assert.Throws<BadInputException>(() => SegmentPrompt.ParsePoints(text, true, 100, 100, "point"));
    }
}
