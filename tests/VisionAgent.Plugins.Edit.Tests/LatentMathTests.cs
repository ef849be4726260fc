using VisionAgent.Plugins.Edit.Diffusion;

namespace VisionAgent.Plugins.Edit.Tests;

public sealed class LatentMathTests
{
    [Fact]
    public void Guidance_is_uncond_plus_scale_times_the_difference()
    {
        float[] batched = [1f, 2f, -1f, /* cond */ 3f, 2f, 1f];
        var result = new float[3];

        LatentMath.ApplyGuidance(batched, 7.5f, result);

        Assert.Equal([1 + (7.5f * 2), 2f, -1 + (7.5f * 2)], result);
    }

    [Fact]
    public void Guidance_of_one_returns_the_conditional_prediction()
    {
        var result = new float[2];

        LatentMath.ApplyGuidance([5f, 6f, 1f, 2f], 1f, result);

        Assert.Equal([1f, 2f], result);
    }

    [Fact]
    public void Mask_is_downsampled_by_eight_taking_each_blocks_top_left_pixel()
    {
        var mask = new float[16 * 16];
        mask[(0 * 16) + 8] = 1; // block (1, 0), top-left pixel
        mask[(9 * 16) + 1] = 1; // block (0, 1), not its top-left pixel

        var latent = LatentMath.DownsampleMask(mask, 16, 16);

        Assert.Equal([0f, 1f, 0f, 0f], latent);
    }

    [Fact]
    public void Masked_image_blanks_the_selection_in_every_channel()
    {
        float[] image = [0.5f, -0.5f, /* G */ 0.25f, 1f];
        float[] mask = [1f, 0f];

        Assert.Equal([0f, -0.5f, 0f, 1f], LatentMath.MaskImage(image, mask));
    }

    [Fact]
    public void Unet_input_packs_scaled_latents_mask_and_masked_image_latents_per_batch_item()
    {
        float[] latents = [1, 2, 3, 4];            // 4 channels of a 1x1 latent
        float[] mask = [1];
        float[] maskedLatents = [10, 20, 30, 40];
        var packed = new float[2 * 9];

        LatentMath.PackUnetInput(latents, 0.5f, mask, maskedLatents, 2, packed);

        float[] item = [0.5f, 1, 1.5f, 2, 1, 10, 20, 30, 40];
        Assert.Equal([.. item, .. item], packed);
    }
}
