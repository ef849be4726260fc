namespace VisionAgent.Plugins.Edit.Diffusion;

/// <summary>
/// A denoising scheduler: the timesteps of a run and how to move the latents from one to the next.
/// Steps are addressed by index into <see cref="Timesteps"/> (as diffusers' step_index), so a run that starts
/// part-way (strength below 1) begins at a later index.
/// </summary>
public interface IDiffusionScheduler
{
    string Name { get; }

    /// <summary>The model timesteps, from noisiest to cleanest; set by <see cref="SetTimesteps"/>.</summary>
    IReadOnlyList<double> Timesteps { get; }

    /// <summary>The standard deviation of the starting noise.</summary>
    double InitNoiseSigma { get; }

    void SetTimesteps(int inferenceSteps);

    /// <summary>The factor the latents are multiplied by before they go into the UNet at this step.</summary>
    double ModelInputScale(int stepIndex);

    /// <summary>Moves <paramref name="sample"/> (in place) from step <paramref name="stepIndex"/> to the next, given the predicted noise.</summary>
    void Step(ReadOnlySpan<float> noisePrediction, int stepIndex, Span<float> sample, GaussianNoise noise);

    /// <summary>Noises clean latents to the level of step <paramref name="stepIndex"/> (image-to-image start).</summary>
    void AddNoise(ReadOnlySpan<float> original, ReadOnlySpan<float> noise, int stepIndex, Span<float> result);
}

/// <summary>Creates schedulers by name.</summary>
public static class DiffusionSchedulers
{
    public static IReadOnlyList<string> Names { get; } = ["ddim", "euler_a"];

    public static IDiffusionScheduler? Create(string name) => name.Trim().ToLowerInvariant() switch
    {
        "ddim" => new DdimScheduler(),
        "euler_a" or "euler_ancestral" or "euler-ancestral" => new EulerAncestralScheduler(),
        _ => null,
    };
}
