using System.Globalization;
using VisionAgent.Abstractions;

namespace VisionAgent.ExternalExperts.Classifier;

/// <summary>
/// How a classifier prepares its input and reads its output, from manifest settings: size (224 or 224x224),
/// mean and std (three comma-separated numbers applied after dividing by scale), scale (default 255),
/// layout (nchw or nhwc), top_k, labels (a file, one label per line), input and output tensor names.
/// </summary>
public sealed record ClassifierSettings
{
    public int Width { get; init; } = 224;
    public int Height { get; init; } = 224;
    public float[] Mean { get; init; } = [0f, 0f, 0f];
    public float[] Std { get; init; } = [1f, 1f, 1f];
    public float Scale { get; init; } = 255f;
    public bool ChannelsLast { get; init; }
    public int TopK { get; init; } = 5;
    public string? LabelsFile { get; init; }
    public string? Input { get; init; }
    public string? Output { get; init; }

    public static ClassifierSettings From(ExpertContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var expert = context.Manifest.Name;
        string? Get(string key) => context.Setting(key) is { } v && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
        var result = new ClassifierSettings();
        if (Get("size") is { } size)
        {
            var parts = size.Split('x', 'X', ',');
            if (parts.Length is < 1 or > 2 || !parts.All(p => int.TryParse(p, CultureInfo.InvariantCulture, out var n) && n is > 0 and <= 4096))
                throw new BadInputException($"{expert}: setting size '{size}' must be N or WxH");
            var w = int.Parse(parts[0], CultureInfo.InvariantCulture);
            result = result with { Width = w, Height = parts.Length == 2 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : w };
        }
        if (Get("mean") is { } mean) result = result with { Mean = Triple(mean, "mean", expert) };
        if (Get("std") is { } std) result = result with { Std = Triple(std, "std", expert) };
        if (result.Std.Any(s => s == 0)) throw new BadInputException($"{expert}: setting std must not contain 0");
        result = result with { Scale = context.SettingFloat("scale") ?? result.Scale };
        if (Get("layout") is { } layout)
        {
            result = layout.ToLowerInvariant() switch
            {
                "nchw" => result with { ChannelsLast = false },
                "nhwc" => result with { ChannelsLast = true },
                _ => throw new BadInputException($"{expert}: setting layout '{layout}' must be nchw or nhwc"),
            };
        }
        return result with { TopK = context.SettingInt("top_k", 1, 100) ?? result.TopK, LabelsFile = Get("labels"), Input = Get("input"), Output = Get("output") };
    }

    private static float[] Triple(string text, string key, string expert)
    {
        var values = text.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries).Select(v => Number(v, key, expert)).ToArray();
        return values.Length == 3 ? values : throw new BadInputException($"{expert}: setting {key} needs three numbers (R,G,B)");
    }

    private static float Number(string text, string key, string expert) =>
        float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && float.IsFinite(v)
            ? v
            : throw new BadInputException($"{expert}: setting {key} '{text}' is not a number");
}
