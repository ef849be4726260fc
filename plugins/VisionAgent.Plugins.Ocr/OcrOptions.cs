using VisionAgent.Abstractions;
using VisionAgent.Onnx;

namespace VisionAgent.Plugins.Ocr;

/// <summary>PaddleOCR's inference defaults, overridable through the expert's settings.</summary>
public sealed record OcrOptions
{
    /// <summary>The detector sees the image with its longer side at most this many pixels.</summary>
    public int DetLimitSide { get; init; } = 960;

    public float DetThreshold { get; init; } = 0.3f;

    public float BoxThreshold { get; init; } = 0.6f;

    public float UnclipRatio { get; init; } = 1.5f;

    /// <summary>
    /// A line is turned upside down when the direction classifier says so with more than this score, kept upright
    /// below one minus it, and read both ways in between.
    /// </summary>
    public float ClsThreshold { get; init; } = 0.9f;

    /// <summary>A line read with less confidence than this is read turned 180 degrees too, and the more confident reading kept.</summary>
    public float RecheckConfidence { get; init; } = 0.8f;

    public bool UseDirectionClassifier { get; init; } = true;

    /// <summary>
    /// Lines recognised per model run, grouped by similar width; 0 chooses by device: one line a run on the CPU
    /// (measured faster there: a batch of 8 took 1.6x as long as 8 single runs), 8 on CUDA.
    /// </summary>
    public int RecBatch { get; init; }

    /// <summary>
    /// Lines recognised at the same time on the CPU, each run on one thread; 0 = one per processor (1 on CUDA).
    /// Lines are independent, so this scales better than splitting each small run over threads.
    /// </summary>
    public int RecWorkers { get; init; }

    /// <summary>ONNX Runtime settings of the three models (<c>onnx_*</c> settings).</summary>
    public OnnxModelOptions Session { get; init; } = OnnxModelOptions.Default;

    public float MinConfidence { get; init; } = 0.5f;

    /// <summary>Margin added around each line before recognition, as a fraction of the line's height.</summary>
    public float RecPadding { get; init; } = 0.2f;

    /// <summary>A space is kept between two characters when the space class reaches this probability in the gap; above 1 turns it off.</summary>
    public float SpaceThreshold { get; init; } = 0.15f;

    /// <summary>The same in a gap wider than the line's usual gap between characters (word spaces between capitals and digits).</summary>
    public float WideGapSpaceThreshold { get; init; } = 0.03f;

    public static OcrOptions FromSettings(ExpertContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var defaults = new OcrOptions();
        return new OcrOptions
        {
            DetLimitSide = context.SettingInt("det_limit_side", 32, 4096) ?? defaults.DetLimitSide,
            DetThreshold = context.SettingFloat("det_threshold", 0, 1) ?? defaults.DetThreshold,
            BoxThreshold = context.SettingFloat("box_threshold", 0, 1) ?? defaults.BoxThreshold,
            UnclipRatio = context.SettingFloat("unclip_ratio", 0, 10) ?? defaults.UnclipRatio,
            ClsThreshold = context.SettingFloat("cls_threshold", 0.5f, 1) ?? defaults.ClsThreshold,
            RecheckConfidence = context.SettingFloat("recheck_confidence", 0, 1) ?? defaults.RecheckConfidence,
            UseDirectionClassifier = context.SettingBool("use_cls") ?? defaults.UseDirectionClassifier,
            RecBatch = context.SettingInt("rec_batch", 0, 64) ?? defaults.RecBatch,
            RecWorkers = context.SettingInt("rec_workers", 0, 64) ?? defaults.RecWorkers,
            Session = OnnxModelOptions.FromSettings(context, "onnx_"),
            MinConfidence = context.SettingFloat("min_confidence", 0, 1) ?? defaults.MinConfidence,
            RecPadding = context.SettingFloat("rec_padding", 0, 1) ?? defaults.RecPadding,
            SpaceThreshold = context.SettingFloat("space_threshold", 0, 2) ?? defaults.SpaceThreshold,
            WideGapSpaceThreshold = context.SettingFloat("wide_gap_space_threshold", 0, 2) ?? defaults.WideGapSpaceThreshold,
        };
    }
}
