using System.Globalization;
using VisionAgent.Abstractions;

namespace VisionAgent.Plugins.Ocr;

/// <summary>PaddleOCR's inference defaults, overridable through the expert's settings.</summary>
public sealed record OcrOptions
{
    /// <summary>The detector sees the image with its longer side at most this many pixels.</summary>
    public int DetLimitSide { get; init; } = 960;

    public float DetThreshold { get; init; } = 0.3f;

    public float BoxThreshold { get; init; } = 0.6f;

    public float UnclipRatio { get; init; } = 1.5f;

    /// <summary>A line is turned upside down when the direction classifier says so with more than this score.</summary>
    public float ClsThreshold { get; init; } = 0.9f;

    public bool UseDirectionClassifier { get; init; } = true;

    /// <summary>
    /// Lines recognised per model run, grouped by similar width; 0 chooses by device: one line a run on the CPU
    /// (measured faster there: a batch of 8 took 1.6x as long as 8 single runs), 8 on CUDA.
    /// </summary>
    public int RecBatch { get; init; }

    public float MinConfidence { get; init; } = 0.5f;

    /// <summary>Margin added around each line before recognition, as a fraction of the line's height.</summary>
    public float RecPadding { get; init; } = 0.2f;

    /// <summary>A space is kept between two characters when the space class reaches this probability in the gap; above 1 turns it off.</summary>
    public float SpaceThreshold { get; init; } = 0.15f;

    public static OcrOptions FromSettings(Func<string, string?> setting)
    {
        var defaults = new OcrOptions();
        return new OcrOptions
        {
            DetLimitSide = Int(setting, "det_limit_side", defaults.DetLimitSide, 32, 4096),
            DetThreshold = Float(setting, "det_threshold", defaults.DetThreshold),
            BoxThreshold = Float(setting, "box_threshold", defaults.BoxThreshold),
            UnclipRatio = Float(setting, "unclip_ratio", defaults.UnclipRatio, 0, 10),
            ClsThreshold = Float(setting, "cls_threshold", defaults.ClsThreshold),
            UseDirectionClassifier = setting("use_cls") is not { } cls || !string.Equals(cls.Trim(), "false", StringComparison.OrdinalIgnoreCase),
            RecBatch = Int(setting, "rec_batch", defaults.RecBatch, 0, 64),
            MinConfidence = Float(setting, "min_confidence", defaults.MinConfidence),
            RecPadding = Float(setting, "rec_padding", defaults.RecPadding, 0, 1),
            SpaceThreshold = Float(setting, "space_threshold", defaults.SpaceThreshold, 0, 2),
        };
    }

    private static int Int(Func<string, string?> setting, string key, int fallback, int min, int max)
    {
        if (setting(key) is not { } text) return fallback;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw new BadInputException($"ocr setting {key} must be a whole number from {min} to {max}, not '{text}'");
        return value;
    }

    private static float Float(Func<string, string?> setting, string key, float fallback, float min = 0, float max = 1)
    {
        if (setting(key) is not { } text) return fallback;
        if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw new BadInputException($"ocr setting {key} must be a number from {min} to {max}, not '{text}'");
        return value;
    }
}
