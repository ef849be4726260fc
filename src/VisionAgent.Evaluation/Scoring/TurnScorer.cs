using VisionAgent.Core.Agent;
using VisionAgent.Evaluation.Tasks;

namespace VisionAgent.Evaluation.Scoring;

/// <summary>Checks a turn's run against its tool, step and produced-image expectations.</summary>
public static class TurnScorer
{
    /// <summary>
    /// A tool counts as called when a step named it (or, for multi-function experts, <c>name.op</c>) and did not fail.
    /// </summary>
    public static IReadOnlyList<CheckResult> CheckRun(EvalTurn turn, AgentRunResult result)
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
            var produced = result.Steps.SelectMany(s => s.ImagesProduced).ToHashSet(StringComparer.Ordinal);
            var kinds = result.Images.Where(i => produced.Contains(i.Handle)).Select(i => i.Kind).ToList();
            foreach (var image in turn.Images)
            {
                var count = kinds.Count(k => string.Equals(k, image.Kind, StringComparison.OrdinalIgnoreCase));
                checks.Add(new CheckResult($"produces {image.Kind}", count >= image.Count, $"{count} produced (at least {image.Count})"));
            }
        }
        return checks;
    }

    private static bool Names(string called, string expected) =>
        string.Equals(called, expected, StringComparison.OrdinalIgnoreCase) ||
        called.StartsWith(expected + ".", StringComparison.OrdinalIgnoreCase);

    private static string List(IReadOnlyCollection<string> items) => items.Count == 0 ? "none" : string.Join(", ", items.Distinct());
}
