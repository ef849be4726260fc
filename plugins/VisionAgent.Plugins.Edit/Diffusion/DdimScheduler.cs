namespace VisionAgent.Plugins.Edit.Diffusion;

/// <summary>
/// Deterministic DDIM (eta = 0) as diffusers' DDIMScheduler with Stable Diffusion's configuration:
/// "leading" timestep spacing with steps_offset 1, set_alpha_to_one false, no sample clipping, epsilon prediction.
/// </summary>
public sealed class DdimScheduler(NoiseSchedule? schedule = null, int stepsOffset = 1) : IDiffusionScheduler
{
    private readonly NoiseSchedule _schedule = schedule ?? NoiseSchedule.StableDiffusion;
    private int[] _timesteps = [];
    private int _stepRatio;

    public string Name => "ddim";

    public IReadOnlyList<double> Timesteps => _timesteps.Select(t => (double)t).ToArray();

    public double InitNoiseSigma => 1.0;

    public void SetTimesteps(int inferenceSteps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inferenceSteps, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(inferenceSteps, _schedule.TrainSteps);
        _stepRatio = _schedule.TrainSteps / inferenceSteps;
        _timesteps = new int[inferenceSteps];
        for (var i = 0; i < inferenceSteps; i++)
            _timesteps[i] = ((inferenceSteps - 1 - i) * _stepRatio) + stepsOffset;
        if (_timesteps[0] >= _schedule.TrainSteps)
            throw new ArgumentOutOfRangeException(nameof(inferenceSteps), inferenceSteps, "too many steps for leading spacing with this offset");
    }

    public double ModelInputScale(int stepIndex) => 1.0;

    public void Step(ReadOnlySpan<float> noisePrediction, int stepIndex, Span<float> sample, GaussianNoise noise)
    {
        var t = _timesteps[stepIndex];
        var previous = t - _stepRatio;
        var alphaProd = _schedule.AlphasCumprod[t];
        // set_alpha_to_one = false: the final step lands on ᾱ at train step 0.
        var alphaProdPrevious = previous >= 0 ? _schedule.AlphasCumprod[previous] : _schedule.AlphasCumprod[0];
        var sqrtAlpha = Math.Sqrt(alphaProd);
        var sqrtBeta = Math.Sqrt(1 - alphaProd);
        var sqrtAlphaPrevious = Math.Sqrt(alphaProdPrevious);
        var direction = Math.Sqrt(1 - alphaProdPrevious);
        // prev = sqrt(ᾱ_prev) · x0 + sqrt(1 - ᾱ_prev) · eps with x0 = (x - sqrt(1 - ᾱ) · eps) / sqrt(ᾱ),
        // folded into one linear combination of x and eps per element.
        var sampleWeight = (float)(sqrtAlphaPrevious / sqrtAlpha);
        var noiseWeight = (float)(direction - (sqrtAlphaPrevious * sqrtBeta / sqrtAlpha));
        for (var i = 0; i < sample.Length; i++)
            sample[i] = (sampleWeight * sample[i]) + (noiseWeight * noisePrediction[i]);
    }

    public void AddNoise(ReadOnlySpan<float> original, ReadOnlySpan<float> noise, int stepIndex, Span<float> result)
    {
        var alphaProd = _schedule.AlphasCumprod[_timesteps[stepIndex]];
        var a = Math.Sqrt(alphaProd);
        var b = Math.Sqrt(1 - alphaProd);
        for (var i = 0; i < result.Length; i++)
            result[i] = (float)((a * original[i]) + (b * noise[i]));
    }
}
