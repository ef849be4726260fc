using VisionAgent.Plugins.Edit.Diffusion;

namespace VisionAgent.Plugins.Edit.Tests;

/// <summary>
/// Reference values from diffusers' DDIMScheduler and EulerAncestralDiscreteScheduler with Stable Diffusion's
/// scheduler config (scaled_linear, 0.00085..0.012, 1000 steps, steps_offset 1); sigma_max 14.6146 and
/// sigma_min 0.0292 are the well-known k-diffusion values for these betas.
/// </summary>
public sealed class SchedulerTests
{
    [Fact]
    public void Noise_schedule_matches_the_scaled_linear_reference()
    {
        var schedule = NoiseSchedule.StableDiffusion;

        Assert.Equal(0.99915, schedule.AlphasCumprod[0], 6);
        Assert.Equal(0.998296, schedule.AlphasCumprod[1], 5);
        Assert.Equal(0.276333, schedule.AlphasCumprod[500], 4);
        Assert.Equal(0.004660, schedule.AlphasCumprod[999], 5);
        Assert.Equal(14.6146, schedule.Sigma(999), 3);
        Assert.Equal(0.0292, schedule.Sigma(0), 4);
    }

    [Fact]
    public void Ddim_uses_leading_spacing_with_offset_one()
    {
        var ddim = new DdimScheduler();

        ddim.SetTimesteps(10);
        Assert.Equal([901.0, 801, 701, 601, 501, 401, 301, 201, 101, 1], ddim.Timesteps);

        ddim.SetTimesteps(50);
        Assert.Equal(981.0, ddim.Timesteps[0]);
        Assert.Equal(961.0, ddim.Timesteps[1]);
        Assert.Equal(1.0, ddim.Timesteps[^1]);
        Assert.Equal(1.0, ddim.InitNoiseSigma);
    }

    [Fact]
    public void Ddim_step_matches_the_reference_formula()
    {
        var ddim = new DdimScheduler();
        ddim.SetTimesteps(10);
        float[] sample = [1f];

        ddim.Step([0.5f], 0, sample, new GaussianNoise(1));
        Assert.Equal(1.3041598, sample[0], 5);

        // The last step (t = 1) lands on alpha_cumprod[0], not 1 (set_alpha_to_one = false).
        float[] last = [1f];
        ddim.Step([0.5f], 9, last, new GaussianNoise(1));
        Assert.Equal(0.9943566, last[0], 5);
    }

    [Fact]
    public void Euler_ancestral_uses_linspace_timesteps_and_interpolated_sigmas()
    {
        var euler = new EulerAncestralScheduler();

        euler.SetTimesteps(10);

        Assert.Equal([999.0, 888, 777, 666, 555, 444, 333, 222, 111, 0], euler.Timesteps);
        double[] expected = [14.614641, 7.839883, 4.609174, 2.918307, 1.950161, 1.344928, 0.932358, 0.624977, 0.368658, 0.029167, 0];
        Assert.Equal(expected.Length, euler.Sigmas.Count);
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], euler.Sigmas[i], 5);
        Assert.Equal(14.614641, euler.InitNoiseSigma, 5);
        Assert.Equal(1 / Math.Sqrt((14.614641 * 14.614641) + 1), euler.ModelInputScale(0), 6);
    }

    [Fact]
    public void Euler_ancestral_interpolates_between_training_steps()
    {
        var euler = new EulerAncestralScheduler();

        euler.SetTimesteps(25);

        Assert.Equal(957.375, euler.Timesteps[1], 3);
        Assert.Equal(11.435938, euler.Sigmas[1], 5);
        Assert.Equal(9.0768055, euler.Sigmas[2], 5);
    }

    [Fact]
    public void Euler_ancestral_last_step_returns_the_denoised_sample()
    {
        // At the last step sigma_to = 0, so sigma_up = sigma_down = 0 and the result is sample - sigma * eps.
        var euler = new EulerAncestralScheduler();
        euler.SetTimesteps(10);
        float[] sample = [2f];

        euler.Step([0.5f], 9, sample, new GaussianNoise(3));

        Assert.Equal(2 - (0.029167 * 0.5), sample[0], 5);
    }

    [Fact]
    public void Add_noise_follows_each_schedulers_definition()
    {
        var ddim = new DdimScheduler();
        ddim.SetTimesteps(10);
        var euler = new EulerAncestralScheduler();
        euler.SetTimesteps(10);
        var ddimResult = new float[1];
        var eulerResult = new float[1];

        ddim.AddNoise([1f], [1f], 0, ddimResult);
        euler.AddNoise([1f], [1f], 0, eulerResult);

        var alpha = NoiseSchedule.StableDiffusion.AlphasCumprod[901];
        Assert.Equal(Math.Sqrt(alpha) + Math.Sqrt(1 - alpha), ddimResult[0], 5);
        Assert.Equal(1 + 14.614641, eulerResult[0], 4);
    }

    [Fact]
    public void Schedulers_are_chosen_by_name()
    {
        Assert.IsType<DdimScheduler>(DiffusionSchedulers.Create("DDIM"));
        Assert.IsType<EulerAncestralScheduler>(DiffusionSchedulers.Create("euler_a"));
        Assert.Null(DiffusionSchedulers.Create("pndm"));
    }

    [Fact]
    public void Gaussian_noise_is_deterministic_per_seed_and_standard_normal()
    {
        var a = new float[20_000];
        var b = new float[20_000];
        var c = new float[20_000];

        new GaussianNoise(42).Fill(a);
        new GaussianNoise(42).Fill(b);
        new GaussianNoise(43).Fill(c);

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        var mean = a.Average();
        var variance = a.Select(v => (v - mean) * (v - mean)).Average();
        Assert.InRange(mean, -0.03, 0.03);
        Assert.InRange(variance, 0.95, 1.05);
    }
}
