namespace VisionAgent.Plugins.Edit.Diffusion;

/// <summary>
/// Euler ancestral sampling as diffusers' EulerAncestralDiscreteScheduler with its default "linspace" spacing:
/// timesteps linspace(0, 999, n) reversed, sigmas interpolated linearly over the training sigmas with a final 0,
/// inputs scaled by 1/sqrt(σ² + 1), and the initial noise sigma equal to the largest sigma.
/// </summary>
public sealed class EulerAncestralScheduler(NoiseSchedule? schedule = null) : IDiffusionScheduler
{
    private readonly NoiseSchedule _schedule = schedule ?? NoiseSchedule.StableDiffusion;
    private double[] _timesteps = [];
    private double[] _sigmas = [];

    public string Name => "euler_a";

    public IReadOnlyList<double> Timesteps => _timesteps;

    /// <summary>The sigmas of the run, one per timestep plus the final 0.</summary>
    public IReadOnlyList<double> Sigmas => _sigmas;

    public double InitNoiseSigma => _sigmas.Length == 0 ? 1.0 : _sigmas.Max();

    public void SetTimesteps(int inferenceSteps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inferenceSteps, 1);
        var last = _schedule.TrainSteps - 1;
        _timesteps = new double[inferenceSteps];
        _sigmas = new double[inferenceSteps + 1];
        for (var i = 0; i < inferenceSteps; i++)
        {
            // np.linspace(0, last, n)[::-1], computed in float32 as diffusers does.
            var t = inferenceSteps == 1 ? 0.0 : (double)(float)(last * (double)(inferenceSteps - 1 - i) / (inferenceSteps - 1));
            _timesteps[i] = t;
            _sigmas[i] = InterpolateSigma(t);
        }
        _sigmas[inferenceSteps] = 0.0;
    }

    public double ModelInputScale(int stepIndex) => 1.0 / Math.Sqrt((_sigmas[stepIndex] * _sigmas[stepIndex]) + 1);

    public void Step(ReadOnlySpan<float> noisePrediction, int stepIndex, Span<float> sample, GaussianNoise noise)
    {
        var sigmaFrom = _sigmas[stepIndex];
        var sigmaTo = _sigmas[stepIndex + 1];
        var sigmaUp = Math.Sqrt(sigmaTo * sigmaTo * ((sigmaFrom * sigmaFrom) - (sigmaTo * sigmaTo)) / (sigmaFrom * sigmaFrom));
        var sigmaDown = Math.Sqrt((sigmaTo * sigmaTo) - (sigmaUp * sigmaUp));
        var dt = sigmaDown - sigmaFrom;
        var fresh = new float[sample.Length];
        noise.Fill(fresh);
        for (var i = 0; i < sample.Length; i++)
        {
            // derivative = (sample - (sample - σ·eps)) / σ = eps for epsilon prediction.
            var derivative = (double)noisePrediction[i];
            sample[i] = (float)(sample[i] + (derivative * dt) + (fresh[i] * sigmaUp));
        }
    }

    public void AddNoise(ReadOnlySpan<float> original, ReadOnlySpan<float> noise, int stepIndex, Span<float> result)
    {
        var sigma = _sigmas[stepIndex];
        for (var i = 0; i < result.Length; i++)
            result[i] = (float)(original[i] + (noise[i] * sigma));
    }

    private double InterpolateSigma(double t)
    {
        var low = (int)Math.Floor(t);
        var high = Math.Min(low + 1, _schedule.TrainSteps - 1);
        var fraction = t - low;
        return ((1 - fraction) * _schedule.Sigma(low)) + (fraction * _schedule.Sigma(high));
    }
}
