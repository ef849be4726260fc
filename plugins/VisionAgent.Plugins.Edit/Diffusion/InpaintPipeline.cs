using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using VisionAgent.Abstractions;
using VisionAgent.Onnx;

namespace VisionAgent.Plugins.Edit.Diffusion;

/// <summary>The files of a diffusers-layout ONNX inpainting export.</summary>
public sealed record InpaintModelFiles(string TextEncoder, string Unet, string VaeEncoder, string VaeDecoder, string Vocab, string Merges);

/// <summary>What to paint and how.</summary>
public sealed record InpaintOptions
{
    public required string Prompt { get; init; }
    public string NegativePrompt { get; init; } = "";
    public int Steps { get; init; } = 25;

    /// <summary>Classifier-free guidance scale; 1 or less runs the conditional pass only.</summary>
    public float Guidance { get; init; } = 7.5f;

    public long Seed { get; init; }

    /// <summary>1 starts from pure noise; lower values start from the noised image and run fewer steps.</summary>
    public float Strength { get; init; } = 1f;

    public string Scheduler { get; init; } = "ddim";

    /// <summary>Free the UNet's session when the run ends (it is by far the largest model).</summary>
    public bool UnloadUnetAfterUse { get; init; } = true;
}

/// <summary>The decoded image ([1, 3, H, W] in [-1, 1]) and where the time went.</summary>
public sealed record InpaintRun(float[] Decoded, int StepsRun, string Scheduler, double UnetMilliseconds, double StepOverheadMilliseconds, double TotalMilliseconds);

/// <summary>
/// Stable Diffusion inpainting with a 9-channel UNet, as diffusers' ONNX inpainting pipeline runs it: prompt and
/// negative prompt encoded by CLIP, the masked image encoded by the VAE (× 0.18215), the mask downsampled to
/// latent size, [uncond, cond] batched through the UNet each step with classifier-free guidance, and the final
/// latents (÷ 0.18215) decoded. Sessions come from the shared pool on first use.
/// </summary>
public sealed class InpaintPipeline(OnnxSessionPool pool, InpaintModelFiles files, string expertName = "edit")
{
    /// <summary>DDIM's leading spacing with offset 1 would step past the last training step beyond this.</summary>
    public const int MaxSteps = 500;

    private ClipTokenizer? _tokenizer;

    public InpaintModelFiles Files => files;

    public InpaintRun Run(float[] image, float[] mask, int width, int height, InpaintOptions options,
        IProgress<ExpertProgress>? progress, CancellationToken cancellationToken)
    {
        if (width % 64 != 0 || height % 64 != 0)
            throw new ArgumentException($"working size {width}x{height} must be a multiple of 64");
        var scheduler = DiffusionSchedulers.Create(options.Scheduler)
            ?? throw new BadInputException($"unknown scheduler '{options.Scheduler}': use {string.Join(" or ", DiffusionSchedulers.Names)}");
        if (options.Steps is < 1 or > MaxSteps) throw new BadInputException($"steps must be 1..{MaxSteps}, not {options.Steps}");
        if (options.Strength is <= 0 or > 1) throw new BadInputException($"strength must be in (0, 1], not {options.Strength}");

        var total = Stopwatch.StartNew();
        var latentWidth = width / LatentMath.LatentFactor;
        var latentHeight = height / LatentMath.LatentFactor;
        var plane = latentWidth * latentHeight;
        var guided = options.Guidance > 1f;
        var batch = guided ? 2 : 1;

        // Text: [uncond, cond] or [cond].
        var tokenizer = _tokenizer ??= ClipTokenizer.Load(files.Vocab, files.Merges);
        var condition = EncodeText(tokenizer.Encode(options.Prompt), cancellationToken);
        var embeddings = guided ? [.. EncodeText(tokenizer.Encode(options.NegativePrompt), cancellationToken), .. condition] : condition;
        var hiddenSize = condition.Length / ClipTokenizer.MaxLength;

        // Mask and masked-image latents.
        var latentMask = LatentMath.DownsampleMask(mask, width, height);
        var maskedImageLatents = EncodeImage(LatentMath.MaskImage(image, mask), width, height, cancellationToken);

        scheduler.SetTimesteps(options.Steps);
        var noise = new GaussianNoise(options.Seed);
        var latents = new float[4 * plane];
        noise.Fill(latents);
        var initSteps = Math.Min((int)(options.Steps * options.Strength), options.Steps);
        var startIndex = options.Steps - initSteps;
        if (startIndex >= options.Steps)
            throw new BadInputException($"strength {options.Strength} with {options.Steps} steps leaves no step to run");
        if (startIndex == 0)
        {
            LatentMath.ScaleInPlace(latents, (float)scheduler.InitNoiseSigma);
        }
        else
        {
            var imageLatents = EncodeImage(image, width, height, cancellationToken);
            scheduler.AddNoise(imageLatents, latents, startIndex, latents);
        }

        var unet = pool.Get(files.Unet);
        ModelTensors.RequireInputs(unet, "unet", "sample", "timestep", "encoder_hidden_states");
        var unetOutput = ModelTensors.OutputName(unet, "out_sample");
        var unetInput = new float[batch * 9 * plane];
        var noisePrediction = new float[4 * plane];
        double unetMs = 0, overheadMs = 0;
        var stepsToRun = options.Steps - startIndex;
        try
        {
            for (var index = startIndex; index < options.Steps; index++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var overhead = Stopwatch.StartNew();
                LatentMath.PackUnetInput(latents, (float)scheduler.ModelInputScale(index), latentMask, maskedImageLatents, batch, unetInput);
                using var sample = ModelTensors.Floats(unet, "sample", unetInput, [batch, 9, latentHeight, latentWidth]);
                using var timestep = ModelTensors.Timestep(unet, "timestep", scheduler.Timesteps[index], batch);
                using var hidden = ModelTensors.Floats(unet, "encoder_hidden_states", embeddings, [batch, ClipTokenizer.MaxLength, hiddenSize]);
                overhead.Stop();
                var unetClock = Stopwatch.StartNew();
                using var outputs = OnnxTensors.Run(unet,
                    new Dictionary<string, OrtValue> { ["sample"] = sample, ["timestep"] = timestep, ["encoder_hidden_states"] = hidden },
                    [unetOutput], cancellationToken);
                unetMs += unetClock.Elapsed.TotalMilliseconds;
                overhead.Start();
                // fp32 exports are read in place; fp16 ones are converted.
                ReadOnlySpan<float> predicted = outputs[0].GetTensorTypeAndShape().ElementDataType == TensorElementType.Float
                    ? outputs[0].GetTensorDataAsSpan<float>()
                    : ModelTensors.ReadFloats(outputs[0]);
                if (predicted.Length != batch * 4 * plane)
                    throw new BadInputException($"the unet returned {predicted.Length} values, expected {batch}x4x{latentHeight}x{latentWidth}");
                if (guided) LatentMath.ApplyGuidance(predicted, options.Guidance, noisePrediction);
                else predicted.CopyTo(noisePrediction);
                scheduler.Step(noisePrediction, index, latents, noise);
                overheadMs += overhead.Elapsed.TotalMilliseconds;
                progress?.Report(new ExpertProgress(expertName, "denoising", index - startIndex + 1, stepsToRun, "step"));
            }
        }
        finally
        {
            if (options.UnloadUnetAfterUse) pool.Unload(files.Unet);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var decoded = DecodeLatents(latents, latentWidth, latentHeight, cancellationToken);
        if (decoded.Length != 3 * width * height)
            throw new BadInputException($"the vae_decoder returned {decoded.Length} values, expected 3x{height}x{width}");
        return new InpaintRun(decoded, stepsToRun, scheduler.Name, unetMs, overheadMs, total.Elapsed.TotalMilliseconds);
    }

    /// <summary>The text encoder's last hidden state for one prompt: [1, 77, D].</summary>
    public float[] EncodeText(int[] ids, CancellationToken cancellationToken)
    {
        var session = pool.Get(files.TextEncoder);
        ModelTensors.RequireInputs(session, "text_encoder", "input_ids");
        using var input = ModelTensors.Integers(session, "input_ids", ids, [1, ids.Length]);
        using var outputs = OnnxTensors.Run(session, new Dictionary<string, OrtValue> { ["input_ids"] = input },
            [ModelTensors.OutputName(session, "last_hidden_state")], cancellationToken);
        return ModelTensors.ReadFloats(outputs[0]);
    }

    /// <summary>VAE-encodes an image ([1, 3, H, W] in [-1, 1]) to scaled latents [1, 4, H/8, W/8].</summary>
    public float[] EncodeImage(float[] image, int width, int height, CancellationToken cancellationToken)
    {
        var session = pool.Get(files.VaeEncoder);
        ModelTensors.RequireInputs(session, "vae_encoder", "sample");
        using var input = ModelTensors.Floats(session, "sample", image, [1, 3, height, width]);
        using var outputs = OnnxTensors.Run(session, new Dictionary<string, OrtValue> { ["sample"] = input },
            [ModelTensors.OutputName(session, "latent_sample")], cancellationToken);
        var values = ModelTensors.ReadFloats(outputs[0]);
        var plane = width / LatentMath.LatentFactor * (height / LatentMath.LatentFactor);
        // Exports that return the distribution's parameters (mean then log-variance, 8 channels): take the mean.
        var latents = values.Length == 8 * plane ? values[..(4 * plane)] : values;
        if (latents.Length != 4 * plane)
            throw new BadInputException($"the vae_encoder returned {values.Length} values, expected 4x{height / 8}x{width / 8}");
        LatentMath.ScaleInPlace(latents, LatentMath.VaeScale);
        return latents;
    }

    /// <summary>Unscales latents (÷ 0.18215) and VAE-decodes them to [1, 3, H, W].</summary>
    public float[] DecodeLatents(float[] latents, int latentWidth, int latentHeight, CancellationToken cancellationToken)
    {
        var session = pool.Get(files.VaeDecoder);
        ModelTensors.RequireInputs(session, "vae_decoder", "latent_sample");
        var unscaled = latents.ToArray();
        LatentMath.ScaleInPlace(unscaled, 1f / LatentMath.VaeScale);
        using var input = ModelTensors.Floats(session, "latent_sample", unscaled, [1, 4, latentHeight, latentWidth]);
        using var outputs = OnnxTensors.Run(session, new Dictionary<string, OrtValue> { ["latent_sample"] = input },
            [ModelTensors.OutputName(session, "sample")], cancellationToken);
        return ModelTensors.ReadFloats(outputs[0]);
    }
}
