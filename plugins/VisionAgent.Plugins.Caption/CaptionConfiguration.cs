using System.Text.Json;
using VisionAgent.Abstractions;
using VisionAgent.Imaging.Tensors;

namespace VisionAgent.Plugins.Caption;

/// <summary>
/// Reads what a Hugging Face export says about itself: special tokens and generation defaults from
/// <c>generation_config.json</c> and <c>config.json</c> (top level, then its <c>decoder</c> section), and
/// image preprocessing from <c>preprocessor_config.json</c>.
/// </summary>
public static class CaptionConfiguration
{
    private const long MaxConfigBytes = 4 * 1024 * 1024;

    /// <summary>Generation options from the config files (either may be null), before the expert's settings are applied.</summary>
    public static GenerationOptions ReadGeneration(string? configPath, string? generationConfigPath, GenerationOptions defaults)
    {
        var sources = new List<JsonElement>();
        using var generation = Open(generationConfigPath);
        using var config = Open(configPath);
        if (generation is not null) sources.Add(generation.RootElement);
        if (config is not null)
        {
            sources.Add(config.RootElement);
            if (config.RootElement.TryGetProperty("decoder", out var decoder) && decoder.ValueKind == JsonValueKind.Object) sources.Add(decoder);
        }
        var eos = FirstTokenSet(sources, "eos_token_id");
        return defaults with
        {
            DecoderStartTokenId = FirstInt(sources, "decoder_start_token_id") ?? FirstInt(sources, "bos_token_id") ?? defaults.DecoderStartTokenId,
            EosTokenIds = eos ?? defaults.EosTokenIds,
            MaxLength = FirstInt(sources, "max_length") ?? defaults.MaxLength,
            NumBeams = FirstInt(sources, "num_beams") ?? defaults.NumBeams,
            NoRepeatNgramSize = FirstInt(sources, "no_repeat_ngram_size") ?? defaults.NoRepeatNgramSize,
            RepetitionPenalty = FirstFloat(sources, "repetition_penalty") ?? defaults.RepetitionPenalty,
            LengthPenalty = FirstFloat(sources, "length_penalty") ?? defaults.LengthPenalty,
        };
    }

    /// <summary>The vocabulary size config.json gives (top level or decoder section), or 0.</summary>
    public static int ReadVocabularySize(string? configPath)
    {
        using var config = Open(configPath);
        if (config is null) return 0;
        var sources = new List<JsonElement> { config.RootElement };
        if (config.RootElement.TryGetProperty("decoder", out var decoder) && decoder.ValueKind == JsonValueKind.Object) sources.Add(decoder);
        return FirstInt(sources, "vocab_size") ?? 0;
    }

    /// <summary>
    /// Image preprocessing from preprocessor_config.json: size (a number, {height, width} or {shortest_edge}),
    /// image_mean, image_std, rescale_factor, resample, do_normalize and do_rescale; ViT's defaults otherwise.
    /// </summary>
    public static NormalizationOptions ReadPreprocessing(string? preprocessorPath, NormalizationOptions defaults)
    {
        using var document = Open(preprocessorPath);
        if (document is null) return defaults;
        var root = document.RootElement;
        var options = defaults;
        if (root.TryGetProperty("size", out var size))
        {
            if (size.ValueKind == JsonValueKind.Number)
            {
                options = options with { Width = size.GetInt32(), Height = size.GetInt32() };
            }
            else if (size.ValueKind == JsonValueKind.Object)
            {
                if (size.TryGetProperty("height", out var h) && size.TryGetProperty("width", out var w))
                    options = options with { Width = w.GetInt32(), Height = h.GetInt32() };
                else if (size.TryGetProperty("shortest_edge", out var edge))
                    options = options with { Width = edge.GetInt32(), Height = edge.GetInt32() };
            }
        }
        if (root.TryGetProperty("image_mean", out var mean) && FloatTriple(mean) is { } m) options = options with { Mean = m };
        if (root.TryGetProperty("image_std", out var std) && FloatTriple(std) is { } s) options = options with { Std = s };
        if (root.TryGetProperty("rescale_factor", out var rescale) && rescale.ValueKind == JsonValueKind.Number)
            options = options with { Rescale = rescale.GetSingle() };
        if (root.TryGetProperty("resample", out var resample) && resample.ValueKind == JsonValueKind.Number)
            options = options with { Resample = resample.GetInt32() };
        if (root.TryGetProperty("do_rescale", out var doRescale) && doRescale.ValueKind == JsonValueKind.False)
            options = options with { Rescale = 1f };
        if (root.TryGetProperty("do_normalize", out var doNormalize) && doNormalize.ValueKind == JsonValueKind.False)
            options = options with { Mean = [0f, 0f, 0f], Std = [1f, 1f, 1f] };
        if (options.Width is <= 0 or > 4096 || options.Height is <= 0 or > 4096)
            throw new BadInputException($"{preprocessorPath}: image size {options.Width}x{options.Height} is out of range");
        return options;
    }

    private static JsonDocument? Open(string? path)
    {
        if (string.IsNullOrEmpty(path)) return null;
        var info = new FileInfo(path);
        if (!info.Exists) throw new BadInputException($"caption config file not found: {path}");
        if (info.Length > MaxConfigBytes) throw new BadInputException($"caption config file too large: {path}");
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { MaxDepth = 32, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new BadInputException($"{path}: invalid JSON ({ex.Message.Split('\n')[0]})", ex);
        }
    }

    private static int? FirstInt(List<JsonElement> sources, string key)
    {
        foreach (var source in sources)
        {
            if (source.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number))
                return number;
        }
        return null;
    }

    private static float? FirstFloat(List<JsonElement> sources, string key)
    {
        foreach (var source in sources)
        {
            if (source.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.Number)
                return value.GetSingle();
        }
        return null;
    }

    // eos_token_id is a number or, in newer configs, a list of numbers.
    private static HashSet<int>? FirstTokenSet(List<JsonElement> sources, string key)
    {
        foreach (var source in sources)
        {
            if (!source.TryGetProperty(key, out var value)) continue;
            if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var one)) return [one];
            if (value.ValueKind == JsonValueKind.Array)
            {
                var set = value.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Number).Select(e => e.GetInt32()).ToHashSet();
                if (set.Count > 0) return set;
            }
        }
        return null;
    }

    private static float[]? FloatTriple(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Number)
        {
            var v = element.GetSingle();
            return [v, v, v];
        }
        if (element.ValueKind != JsonValueKind.Array) return null;
        var values = element.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Number).Select(e => e.GetSingle()).ToArray();
        return values.Length == 3 ? values : null;
    }

}
