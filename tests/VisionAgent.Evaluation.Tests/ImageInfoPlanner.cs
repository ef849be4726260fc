using System.Text.RegularExpressions;
using Microsoft.SemanticKernel.ChatCompletion;

namespace VisionAgent.Evaluation.Tests;

/// <summary>A scripted ReAct planner for image_info questions: one action, then an answer read from the observation.</summary>
public static partial class ImageInfoPlanner
{
    public static int Calls;

    public static string Respond(ChatHistory history)
    {
        Interlocked.Increment(ref Calls);
        var last = history[^1].Content ?? "";
        var question = history.Last(m => m.Role == AuthorRole.User && !(m.Content ?? "").StartsWith("Observation:", StringComparison.Ordinal)).Content ?? "";
        if (!last.StartsWith("Observation:", StringComparison.Ordinal))
        {
            var handle = Handle().Match(question) is { Success: true } m ? m.Value : "img1";
            return $"Thought: I need the image facts.\nAction: image_info\nAction Input: {{\"image\": \"{handle}\"}}";
        }
        var size = Size().Match(last);
        var q = question.ToLowerInvariant();
        string answer;
        if (q.Contains("width", StringComparison.Ordinal)) answer = $"{size.Groups[1].Value} pixels ({size.Groups[1].Value}x{size.Groups[2].Value})";
        else if (q.Contains("average brightness", StringComparison.Ordinal)) answer = $"{MeanBrightness().Match(last).Groups[1].Value} out of 255";
        else if (q.Contains("big", StringComparison.Ordinal)) answer = $"{size.Groups[1].Value}x{size.Groups[2].Value} pixels";
        else if (q.Contains("format", StringComparison.Ordinal)) answer = $"It is a {Format().Match(last).Groups[1].Value} image.";
        else if (q.Contains("greyscale", StringComparison.Ordinal)) answer = last.Contains("greyscale", StringComparison.Ordinal) ? "Greyscale." : "Colour.";
        else if (q.Contains("bright", StringComparison.Ordinal)) answer = Brightness().Match(last).Groups[1].Value == "bright" ? "Bright." : "Dark.";
        else answer = last["Observation: ".Length..];
        return $"Thought: I can answer now\nFinal Answer: {answer}";
    }

    [GeneratedRegex(@"img\d+")]
    private static partial Regex Handle();

    [GeneratedRegex(@"(\d+)x(\d+)")]
    private static partial Regex Size();

    [GeneratedRegex(@"img\d+: (\w+) ")]
    private static partial Regex Format();

    [GeneratedRegex(@"mean brightness (\d+)/255")]
    private static partial Regex MeanBrightness();

    [GeneratedRegex(@"mean brightness \d+/255 \((\w+)\)")]
    private static partial Regex Brightness();
}
