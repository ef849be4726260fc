using VisionAgent.Imaging.Tensors;

namespace VisionAgent.Plugins.Ocr.Tests;

public sealed class QuadSamplerTests
{
    [Fact]
    public void Rotated_quad_samples_the_image_upside_down_in_bgr_planes()
    {
        // 2x1 image: left pixel pure red, right pixel pure blue.
        using var pixels = RgbPixels.FromBytes([255, 0, 0, 0, 0, 255], 2, 1);
        var tensor = new float[3 * 1 * 3];
        var identity = new TensorNormalization(ChannelOrder.Bgr, 0, 0, 0, 1, 1, 1);

        QuadSampler.Sample(pixels, Quad.FromRectangle(0, 0, 2, 1), tensor, 2, 1, 3, identity);
        var upright = tensor.ToArray();
        QuadSampler.Sample(pixels, Quad.FromRectangle(0, 0, 2, 1).Rotated180(), tensor, 2, 1, 3, identity);

        // Plane 0 is blue: 0 on the left, 1 on the right; the padding column stays untouched.
        Assert.Equal([0f, 1f, 0f, 0f, 0f, 0f, 1f, 0f, 0f], upright);
        Assert.Equal([1f, 0f, 0f, 0f, 0f, 0f, 0f, 1f, 0f], tensor);
    }

    [Fact]
    public void Section_is_the_part_of_a_turned_quad_between_two_fractions_of_its_length()
    {
        // A 100x10 line turned 90 degrees clockwise: its length runs down the image.
        var line = new Quad(new(10, 0), new(10, 100), new(0, 100), new(0, 0));

        var middle = line.Section(0.25f, 0.75f);

        Assert.Equal(new Quad(new(10, 25), new(10, 75), new(0, 75), new(0, 25)), middle);
        Assert.Equal(50, middle.Width, 3);
        Assert.Equal(10, middle.Height, 3);
    }

    [Fact]
    public void Paddle_recognition_normalisation_maps_0_and_255_to_minus_1_and_1()
    {
        using var pixels = RgbPixels.FromBytes([0, 0, 0, 255, 255, 255], 2, 1);
        var tensor = new float[3 * 2];

        QuadSampler.Sample(pixels, Quad.FromRectangle(0, 0, 2, 1), tensor, 2, 1, 2, TensorNormalization.PaddleRecognition);

        Assert.Equal([-1f, 1f, -1f, 1f, -1f, 1f], tensor);
    }
}
