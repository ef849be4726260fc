namespace VisionAgent.Plugins.Edit.Diffusion;

/// <summary>The small pure pieces of the inpainting loop: latent scaling, guidance, mask downsampling, channel packing.</summary>
public static class LatentMath
{
    /// <summary>Stable Diffusion 1.x VAE scaling factor: encoder outputs are multiplied by it, decoder inputs divided.</summary>
    public const float VaeScale = 0.18215f;

    /// <summary>The VAE's spatial downsampling.</summary>
    public const int LatentFactor = 8;

    public static void ScaleInPlace(Span<float> values, float factor)
    {
        for (var i = 0; i < values.Length; i++) values[i] *= factor;
    }

    /// <summary>
    /// Classifier-free guidance over a UNet output batched as [uncond, cond]:
    /// uncond + scale · (cond − uncond), written to <paramref name="result"/> (half the batch).
    /// </summary>
    public static void ApplyGuidance(ReadOnlySpan<float> batched, float scale, Span<float> result)
    {
        var half = batched.Length / 2;
        if (result.Length != half) throw new ArgumentException("result must be half the batched output", nameof(result));
        var uncond = batched[..half];
        var cond = batched[half..];
        for (var i = 0; i < half; i++) result[i] = uncond[i] + (scale * (cond[i] - uncond[i]));
    }

    /// <summary>
    /// The mask at latent resolution as torch's nearest interpolation does it for an exact factor of 8:
    /// latent pixel (x, y) takes mask pixel (8x, 8y).
    /// </summary>
    public static float[] DownsampleMask(ReadOnlySpan<float> mask, int width, int height)
    {
        var lw = width / LatentFactor;
        var lh = height / LatentFactor;
        var latent = new float[lw * lh];
        for (var y = 0; y < lh; y++)
        {
            for (var x = 0; x < lw; x++)
                latent[(y * lw) + x] = mask[(y * LatentFactor * width) + (x * LatentFactor)];
        }
        return latent;
    }

    /// <summary>The image ([C, H, W]) with the selection blanked (0 in [-1, 1] space), as the inpainting UNet was trained.</summary>
    public static float[] MaskImage(ReadOnlySpan<float> image, ReadOnlySpan<float> mask)
    {
        var plane = mask.Length;
        var masked = new float[image.Length];
        for (var c = 0; c < image.Length / plane; c++)
        {
            for (var i = 0; i < plane; i++)
                masked[(c * plane) + i] = mask[i] < 0.5f ? image[(c * plane) + i] : 0f;
        }
        return masked;
    }

    /// <summary>
    /// Builds the 9-channel UNet input for a batch of <paramref name="batch"/> identical rows:
    /// scaled latents (4), latent mask (1), masked-image latents (4), each plane h·w.
    /// </summary>
    public static void PackUnetInput(ReadOnlySpan<float> latents, float latentScale, ReadOnlySpan<float> latentMask,
        ReadOnlySpan<float> maskedImageLatents, int batch, Span<float> destination)
    {
        var plane = latentMask.Length;
        var perItem = 9 * plane;
        for (var b = 0; b < batch; b++)
        {
            var item = destination.Slice(b * perItem, perItem);
            for (var i = 0; i < 4 * plane; i++) item[i] = latents[i] * latentScale;
            latentMask.CopyTo(item.Slice(4 * plane, plane));
            maskedImageLatents.CopyTo(item.Slice(5 * plane, 4 * plane));
        }
    }
}
