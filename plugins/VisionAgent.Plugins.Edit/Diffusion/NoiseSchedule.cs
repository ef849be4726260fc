namespace VisionAgent.Plugins.Edit.Diffusion;

/// <summary>
/// The training noise schedule of Stable Diffusion 1.x/2.x: "scaled_linear" betas from 0.00085 to 0.012 over
/// 1000 steps (betas = linspace(sqrt(start), sqrt(end), 1000)²) and their cumulative alpha products.
/// </summary>
public sealed class NoiseSchedule
{
    public NoiseSchedule(double betaStart = 0.00085, double betaEnd = 0.012, int trainSteps = 1000)
    {
        TrainSteps = trainSteps;
        var alphasCumprod = new double[trainSteps];
        var product = 1.0;
        var low = Math.Sqrt(betaStart);
        var high = Math.Sqrt(betaEnd);
        for (var i = 0; i < trainSteps; i++)
        {
            var root = low + ((high - low) * i / (trainSteps - 1));
            product *= 1.0 - (root * root);
            alphasCumprod[i] = product;
        }
        AlphasCumprod = alphasCumprod;
    }

    public static NoiseSchedule StableDiffusion { get; } = new();

    public int TrainSteps { get; }

    public IReadOnlyList<double> AlphasCumprod { get; }

    /// <summary>The Karras-style sigma of a training step: sqrt((1 - ᾱ) / ᾱ).</summary>
    public double Sigma(int trainStep) => Math.Sqrt((1 - AlphasCumprod[trainStep]) / AlphasCumprod[trainStep]);
}
