using VisionAgent.Abstractions;
using VisionAgent.Core.Agent;
using VisionAgent.Imaging;
using VisionAgent.Imaging.Masks;
using static System.FormattableString;
using VisionAgent.Evaluation.Tasks;

namespace VisionAgent.Evaluation.Scoring;

/// <summary>Checks a turn's run against its tool, step and produced-image expectations.</summary>
public static class TurnScorer
{
    /// <summary>
    /// A tool counts as called when a step named it (or, for multi-function experts, <c>name.op</c>) and did not fail.
    /// </summary>
    public static IReadOnlyList<CheckResult> CheckRun(EvalTurn turn, AgentRunResult result, ImageLoader loader)
    {
        var checks = new List<CheckResult>
        {
            new("status", result.Status == RunStatus.Answered, result.Status == RunStatus.Answered ? "answered" : $"{result.Status}: {result.Error ?? result.Answer}"),
        };
        var called = result.Steps.Where(s => s is { Action: not null, Failed: false }).Select(s => s.Action!).ToList();
        foreach (var tool in turn.MustCall)
        {
            var hit = called.Any(c => Names(c, tool));
            checks.Add(new CheckResult($"must_call {tool}", hit, hit ? "called" : $"not called (called: {List(called)})"));
        }
        foreach (var tool in turn.MustNotCall)
        {
            var attempted = result.Steps.Where(s => s.Action is not null).Select(s => s.Action!).ToList();
            var hit = attempted.Any(c => Names(c, tool));
            checks.Add(new CheckResult($"must_not_call {tool}", !hit, hit ? "called" : "not called"));
        }
        if (turn.MaxSteps is { } max)
            checks.Add(new CheckResult("max_steps", result.LlmCalls <= max, $"{result.LlmCalls} steps (at most {max})"));
        if (turn.Images.Count > 0)
        {
            var produced = ProducedImages(result);
            foreach (var expectation in turn.Images) checks.Add(CheckProduced(expectation, produced, loader));
        }
        return checks;
    }

    /// <summary>The images the run's steps produced, in the order they were made.</summary>
    public static IReadOnlyList<ImageRecord> ProducedImages(AgentRunResult result)
    {
        var produced = result.Steps.SelectMany(s => s.ImagesProduced).ToHashSet(StringComparer.Ordinal);
        return result.Images.Where(i => produced.Contains(i.Handle)).ToList();
    }

    /// <summary>
    /// Passes when at least the expected count of images of the kind meet every constraint; the detail names the
    /// first image that misses one and why, so a wrong mask reads as "img2 coverage 0.93 (expected 0.20..0.60)".
    /// </summary>
    public static CheckResult CheckProduced(ImageExpectation expectation, IReadOnlyList<ImageRecord> produced, ImageLoader loader)
    {
        var name = "produces " + expectation.Describe();
        var ofKind = produced.Where(i => string.Equals(i.Kind, expectation.Kind, StringComparison.OrdinalIgnoreCase)).ToList();
        var fitting = 0;
        string? miss = null;
        foreach (var image in ofKind)
        {
            var why = Misfit(expectation, image, loader);
            if (why is null) fitting++;
            else miss ??= $"{image.Handle} {why}";
        }
        var passed = fitting >= expectation.Count;
        var detail = expectation.Width is null && expectation.Height is null && expectation.Coverage is null
            ? $"{ofKind.Count} produced (at least {expectation.Count})"
            : $"{fitting} of {ofKind.Count} {expectation.Kind} images fit (at least {expectation.Count})" + (miss is null ? "" : $"; {miss}");
        return new CheckResult(name, passed, detail);
    }

    private static string? Misfit(ImageExpectation expectation, ImageRecord image, ImageLoader loader)
    {
        if ((expectation.Width is { } w && w != image.Width) || (expectation.Height is { } h && h != image.Height))
            return Invariant($"is {image.Width}x{image.Height} (expected {expectation.Width?.ToString() ?? "any"}x{expectation.Height?.ToString() ?? "any"})");
        if (expectation.Coverage is not { } range) return null;
        double coverage;
        try
        {
            coverage = MaskFiles.LoadMask(image.Path, loader).Coverage;
        }
        catch (VisionAgentException ex)
        {
            return $"could not be read to measure its coverage ({ex.Message})";
        }
        return range.Contains(coverage) ? null : Invariant($"coverage {coverage:0.###} (expected {range.Describe()})");
    }

    private static bool Names(string called, string expected) =>
        string.Equals(called, expected, StringComparison.OrdinalIgnoreCase) ||
        called.StartsWith(expected + ".", StringComparison.OrdinalIgnoreCase);

    private static string List(IReadOnlyCollection<string> items) => items.Count == 0 ? "none" : string.Join(", ", items.Distinct());
}
