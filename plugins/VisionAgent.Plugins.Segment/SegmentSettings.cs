using System.Globalization;
using VisionAgent.Abstractions;
using VisionAgent.Onnx;

namespace VisionAgent.Plugins.Segment;

/// <summary>How the encoder of a SAM-format model wants its image.</summary>
public enum SamEncoderLayout
{
    /// <summary>Decided by the input's rank: 4 means <see cref="Nchw"/>, 3 means <see cref="Hwc"/>.</summary>
    Auto,

    /// <summary>[1,3,S,S] float, normalised with the pixel mean/std, zero-padded bottom/right (the official export).</summary>
    Nchw,

    /// <summary>[S,S,3] float RGB 0..255, normalisation inside the graph (MobileSAM and samexporter style).</summary>
    Hwc,
}

/// <summary>The segment expert's settings (manifest defaults overlaid with the user's configuration).</summary>
public sealed record SegmentSettings
{
    public float Threshold { get; init; } = 0.5f;
    public string IsnetInput { get; init; } = "input";
    public string IsnetOutput { get; init; } = "output";
    public int IsnetSize { get; init; } = 1024;

    /// <summary>The manifest's model entry that runs as ISNet: isnet, or isnet_small (the quantised file).</summary>
    public string IsnetModel { get; init; } = IsnetBackend.ModelName;
    public IReadOnlyList<string> SamModels { get; init; } = ["mobilesam", "sam_vit_b"];
    public int SamSize { get; init; } = 1024;
    public SamEncoderLayout SamEncoderLayout { get; init; } = SamEncoderLayout.Auto;
    public string? SamEncoderInput { get; init; }
    public string SamEncoderOutput { get; init; } = "image_embeddings";
    public float[] SamPixelMean { get; init; } = [123.675f, 116.28f, 103.53f];
    public float[] SamPixelStd { get; init; } = [58.395f, 57.12f, 57.375f];
    public int EmbeddingCacheSize { get; init; } = 4;
    public double MinRegionShare { get; init; } = 0.001;

    /// <summary>ONNX Runtime settings for ISNet (keys <c>isnet_optimization</c>, <c>isnet_memory_arena</c>, ...).</summary>
    public OnnxModelOptions IsnetSession { get; init; } = OnnxModelOptions.Default;

    /// <summary>ONNX Runtime settings for the SAM encoder and decoder (keys <c>sam_optimization</c>, <c>sam_memory_arena</c>, ...).</summary>
    public OnnxModelOptions SamSession { get; init; } = OnnxModelOptions.Default;

    public static SegmentSettings From(ExpertContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var defaults = new SegmentSettings();
        return new SegmentSettings
        {
            Threshold = Probability(context, "threshold") ?? defaults.Threshold,
            IsnetInput = Text(context, "isnet_input") ?? defaults.IsnetInput,
            IsnetOutput = Text(context, "isnet_output") ?? defaults.IsnetOutput,
            IsnetSize = context.SettingInt("isnet_size", 32, 4096) ?? defaults.IsnetSize,
            IsnetModel = Text(context, "isnet_model") switch
            {
                null => defaults.IsnetModel,
                var name when name is IsnetBackend.ModelName or IsnetBackend.SmallModelName => name,
                var other => throw new BadInputException($"segment setting isnet_model '{other}' must be {IsnetBackend.ModelName} or {IsnetBackend.SmallModelName}"),
            },
            SamModels = Text(context, "sam_models")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? defaults.SamModels,
            SamSize = context.SettingInt("sam_size", 32, 4096) ?? defaults.SamSize,
            SamEncoderLayout = Text(context, "sam_encoder_layout") switch
            {
                null or "auto" => SamEncoderLayout.Auto,
                "nchw" => SamEncoderLayout.Nchw,
                "hwc" => SamEncoderLayout.Hwc,
                var other => throw new BadInputException($"segment setting sam_encoder_layout '{other}' must be auto, nchw or hwc"),
            },
            SamEncoderInput = Text(context, "sam_encoder_input"),
            SamEncoderOutput = Text(context, "sam_encoder_output") ?? defaults.SamEncoderOutput,
            SamPixelMean = Triple(context, "sam_pixel_mean") ?? defaults.SamPixelMean,
            SamPixelStd = Triple(context, "sam_pixel_std") ?? defaults.SamPixelStd,
            EmbeddingCacheSize = context.SettingInt("embedding_cache_size", 1, 64) ?? defaults.EmbeddingCacheSize,
            MinRegionShare = Probability(context, "min_region_share") ?? defaults.MinRegionShare,
            IsnetSession = OnnxModelOptions.FromSettings(context, "isnet_"),
            SamSession = OnnxModelOptions.FromSettings(context, "sam_"),
        };
    }

    private static string? Text(ExpertContext context, string key) =>
        context.Setting(key) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    // Both ends are excluded: a threshold or share of 0 or 1 keeps everything or nothing.
    private static float? Probability(ExpertContext context, string key)
    {
        var value = context.SettingFloat(key, 0, 1);
        return value is 0 or 1
            ? throw new BadInputException($"setting segment.{key} must be a number above 0 and below 1, not '{Text(context, key)}'")
            : value;
    }

    private static float[]? Triple(ExpertContext context, string key)
    {
        if (Text(context, key) is not { } text) return null;
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new float[3];
        var valid = parts.Length == 3;
        for (var i = 0; valid && i < 3; i++)
            valid = float.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]);
        if (!valid)
            throw new BadInputException($"segment setting {key} '{text}' must be three numbers (R,G,B)");
        if (key == "sam_pixel_std" && values.Any(v => v <= 0))
            throw new BadInputException($"segment setting {key} '{text}' must be positive");
        return values;
    }
}
