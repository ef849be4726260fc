using System.ComponentModel;
using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.SemanticKernel;
using VisionAgent.Abstractions;
using VisionAgent.Imaging;
using VisionAgent.Imaging.Tensors;
using VisionAgent.Onnx;

namespace VisionAgent.Plugins.Caption;

/// <summary>The caption tool the agent calls.</summary>
public sealed class CaptionPlugin(ExpertContext context)
{
    private const int MaxBeams = 16;
    private const int MaxTokens = 128;

    [KernelFunction("caption")]
    [ExpertData(typeof(CaptionReport))]
    [Description("Describes an image in one sentence (what it shows and what is happening).")]
    public async Task<ExpertResult> CaptionAsync(
        [Description("Image handle, e.g. img1")] string image,
        [Description("Longest caption in tokens; 0 uses the model's default")] int max_length = 0,
        [Description("Beam width: 1 is greedy, more searches harder; 0 uses the configured default")] int num_beams = 0,
        CancellationToken cancellationToken = default)
    {
        var record = context.Images.Get(image);
        var expert = context.Manifest.Name;
        var encoderPath = await context.Models.GetPathAsync(expert, "encoder", cancellationToken);
        // An export folder needs only the encoder named: the decoders beside it are found by their Optimum names.
        var decoderPath = await OptionalAsync("decoder", InFolder(encoderPath, "decoder_model.onnx") ?? InFolder(encoderPath, "decoder_model_merged.onnx"), cancellationToken)
            ?? await context.Models.GetPathAsync(expert, "decoder", cancellationToken);
        var withPastPath = await OptionalAsync("decoder_with_past", InFolder(encoderPath, "decoder_with_past_model.onnx"), cancellationToken);
        var configPath = await OptionalAsync("config", Beside(encoderPath, "config.json"), cancellationToken);
        var generationPath = await OptionalAsync("generation_config", Beside(encoderPath, "generation_config.json"), cancellationToken);
        var preprocessorPath = await OptionalAsync("preprocessor_config", Beside(encoderPath, "preprocessor_config.json"), cancellationToken);

        var options = ApplySettings(CaptionConfiguration.ReadGeneration(configPath, generationPath, new GenerationOptions { MaxLength = 16, NumBeams = 4 }));
        if (max_length > 0) options = options with { MaxLength = max_length + 1 };
        if (num_beams > 0) options = options with { NumBeams = num_beams };
        if (options.NumBeams is < 1 or > MaxBeams)
            throw new BadInputException($"caption num_beams must be between 1 and {MaxBeams}, not {options.NumBeams}");
        if (options.MaxLength is < 2 or > MaxTokens + 1)
            throw new BadInputException($"caption max_length must be between 1 and {MaxTokens}, not {options.MaxLength - 1}");
        var tokenizer = await TokenizerAsync(encoderPath, cancellationToken);

        var pool = context.GetRequiredService<OnnxSessionPool>();
        var encoder = pool.Get(encoderPath);
        var decoder = pool.Get(decoderPath);
        var withPast = withPastPath is null ? null : pool.Get(withPastPath);
        var preprocessing = CaptionConfiguration.ReadPreprocessing(preprocessorPath, DefaultPreprocessing(encoder));

        var clock = Stopwatch.StartNew();
        float[] pixels;
        using (var loaded = context.GetRequiredService<ImageLoader>().LoadRgb(record.Path, cancellationToken))
            pixels = NormalizedTensor.Create(loaded, preprocessing);
        var preprocessMs = clock.Elapsed.TotalMilliseconds;

        clock.Restart();
        float[] states;
        long[] stateShape;
        using (var input = OnnxTensors.FromArray(pixels, 1, 3, preprocessing.Height, preprocessing.Width))
        {
            var inputName = encoder.InputMetadata.ContainsKey("pixel_values") ? "pixel_values" : encoder.InputNames[0];
            var outputName = encoder.OutputMetadata.ContainsKey("last_hidden_state") ? "last_hidden_state" : encoder.OutputNames[0];
            using var outputs = OnnxTensors.Run(encoder, new Dictionary<string, OrtValue> { [inputName] = input }, [outputName], cancellationToken);
            states = outputs[0].GetTensorDataAsSpan<float>().ToArray();
            stateShape = outputs[0].GetTensorTypeAndShape().Shape;
        }
        var encoderMs = clock.Elapsed.TotalMilliseconds;

        clock.Restart();
        var runner = new OnnxCaptionDecoder(decoder, withPast, context.SettingBool("use_cache") ?? true, states, stateShape,
            CaptionConfiguration.ReadVocabularySize(configPath));
        var generated = CaptionSearch.Generate(runner, options, cancellationToken);
        var searchTotal = clock.Elapsed;
        var words = generated.Tokens.Where(t => !options.EosTokenIds.Contains(t)).ToList();
        var caption = tokenizer.Decode(words);

        var report = new CaptionReport
        {
            Image = record.Handle,
            Caption = caption,
            TokenIds = generated.Tokens,
            Score = generated.Score,
            NumBeams = options.NumBeams,
            MaxLength = options.MaxLength - 1,
            Cache = runner.Mode switch { DecoderCacheMode.WithPast => "with_past", DecoderCacheMode.Merged => "merged", _ => "none" },
            Tokenizer = tokenizer.Source,
            Steps = generated.Steps,
            Timings = new CaptionTimings(preprocessMs, encoderMs, runner.ModelTime.TotalMilliseconds,
                (searchTotal - runner.ModelTime).TotalMilliseconds),
        };
        return new ExpertResult
        {
            Observation = caption.Length == 0 ? $"the captioner found no words for {record.Handle}" : $"{record.Handle} caption: \"{caption}\"",
            Data = report,
            // A caption is model output about image content; it may carry text read from the image.
            ContainsUntrustedText = caption.Length > 0,
        };
    }

    private async Task<CaptionTokenizer> TokenizerAsync(string encoderPath, CancellationToken cancellationToken)
    {
        var choice = (context.Setting("tokenizer") ?? "auto").Trim().ToLowerInvariant();
        if (choice == "gpt2") return CaptionTokenizer.Gpt2Default();
        if (choice is not ("auto" or ""))
            throw new BadInputException($"caption setting tokenizer '{choice}' is not auto or gpt2");
        var vocab = await OptionalAsync("vocab", Beside(encoderPath, "vocab.json"), cancellationToken);
        var merges = await OptionalAsync("merges", Beside(encoderPath, "merges.txt"), cancellationToken);
        return vocab is not null && merges is not null ? CaptionTokenizer.FromFiles(vocab, merges) : CaptionTokenizer.Gpt2Default();
    }

    private GenerationOptions ApplySettings(GenerationOptions options)
    {
        if (context.SettingInt("max_length", min: 0) is { } maxLength) options = options with { MaxLength = maxLength + 1 };
        if (context.SettingInt("num_beams", min: 0) is { } beams) options = options with { NumBeams = beams };
        if (context.SettingInt("no_repeat_ngram_size", min: 0) is { } ngram) options = options with { NoRepeatNgramSize = ngram };
        if (context.SettingFloat("repetition_penalty", min: 0) is { } penalty)
        {
            if (penalty == 0) throw new BadInputException("setting caption.repetition_penalty must be above 0, not '0'");
            options = options with { RepetitionPenalty = penalty };
        }
        if (context.SettingFloat("length_penalty") is { } lengthPenalty) options = options with { LengthPenalty = lengthPenalty };
        if (context.SettingInt("decoder_start_token_id", min: 0) is { } start) options = options with { DecoderStartTokenId = start };
        if (context.SettingInt("eos_token_id", min: 0) is { } eos) options = options with { EosTokenIds = new HashSet<int> { eos } };
        return options;
    }

    // ViT's defaults (224, mean and std 0.5, bilinear), at the encoder's own size when its input shape is static.
    private static NormalizationOptions DefaultPreprocessing(InferenceSession encoder)
    {
        var dims = encoder.InputMetadata.Values.First().Dimensions;
        return dims.Length == 4 && dims[2] > 0 && dims[3] > 0
            ? new NormalizationOptions { Height = dims[2], Width = dims[3] }
            : new NormalizationOptions();
    }

    private async Task<string?> OptionalAsync(string modelName, string? beside, CancellationToken cancellationToken)
    {
        if (context.Models.IsAvailable(context.Manifest.Name, modelName))
            return await context.Models.GetPathAsync(context.Manifest.Name, modelName, cancellationToken);
        return beside;
    }

    private static string? InFolder(string modelPath, string fileName)
    {
        var path = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath)) ?? ".", fileName);
        return File.Exists(path) ? path : null;
    }

    // Hugging Face repositories keep the JSON files one folder above onnx/; local exports keep them beside the models.
    private static string? Beside(string modelPath, string fileName)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(modelPath));
        if (folder is null) return null;
        var here = Path.Combine(folder, fileName);
        if (File.Exists(here)) return here;
        var parent = Path.GetDirectoryName(folder);
        var above = parent is null ? null : Path.Combine(parent, fileName);
        return above is not null && File.Exists(above) ? above : null;
    }
}
