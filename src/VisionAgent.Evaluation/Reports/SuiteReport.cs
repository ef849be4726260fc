using VisionAgent.Evaluation.Recording;
using VisionAgent.Evaluation.Scoring;

namespace VisionAgent.Evaluation.Reports;

/// <summary>How a task ended.</summary>
public static class TaskOutcome
{
    public const string Passed = "passed";
    public const string Failed = "failed";

    /// <summary>The task could not run (bad image, missing cassette, LLM failure).</summary>
    public const string Error = "error";

    /// <summary>A replay asked for something its cassette does not hold.</summary>
    public const string Diverged = "diverged";
}

/// <summary>An image a turn produced; <see cref="Path"/> is relative to the report's folder in report.json when it lies under it.</summary>
public sealed record ProducedImage
{
    public required string Handle { get; init; }
    public required string Kind { get; init; }
    public required string Path { get; init; }
    public int Width { get; init; }
    public int Height { get; init; }
    public string? Parent { get; init; }
    public string? Operation { get; init; }
}

/// <summary>One turn's answer, checks and costs.</summary>
public sealed record TurnReport
{
    public required string Ask { get; init; }

    /// <summary>What the turn expects, in one line (the answer's expectation, then the produced images').</summary>
    public string? Expectation { get; init; }
    public string? Answer { get; init; }
    public required string Status { get; init; }
    public required bool Passed { get; init; }
    public IReadOnlyList<CheckResult> Checks { get; init; } = [];
    public int Steps { get; init; }
    public IReadOnlyList<string> Tools { get; init; } = [];
    public IReadOnlyList<ProducedImage> Images { get; init; } = [];
    public int PromptTokens { get; init; }
    public int CompletionTokens { get; init; }
    public long DurationMs { get; init; }
}

/// <summary>One task's verdict and totals.</summary>
public sealed record TaskReport
{
    public required string Id { get; init; }
    public required string File { get; init; }
    public int Line { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];
    public required string Status { get; init; }
    public IReadOnlyList<TurnReport> Turns { get; init; } = [];
    public string? Error { get; init; }
    public Divergence? Divergence { get; init; }
    public long DurationMs { get; init; }

    public bool Passed => Status == TaskOutcome.Passed;
    public int Steps => Turns.Sum(t => t.Steps);
    public int ToolCalls => Turns.Sum(t => t.Tools.Count);
    public int Tokens => Turns.Sum(t => t.PromptTokens + t.CompletionTokens);

    /// <summary>The first failing check or the error, in one line.</summary>
    public string Reason()
    {
        if (Divergence is not null) return "diverged: " + Divergence.Describe();
        if (Error is not null) return Error;
        foreach (var (turn, i) in Turns.Select((t, i) => (t, i)))
        {
            if (turn.Checks.FirstOrDefault(c => !c.Passed) is { } check)
                return $"turn {i + 1}: {check.Name}: {check.Detail} (answer: {Shorten(turn.Answer)})";
        }
        return "";
    }

    private static string Shorten(string? text) => text is null ? "none" : text.Length > 120 ? text[..120] + "…" : text;
}

public sealed record TagSummary(string Tag, int Total, int Passed)
{
    public double PassRate => Total == 0 ? 0 : Passed / (double)Total;
}

/// <summary>Totals over a suite.</summary>
public sealed record SuiteSummary
{
    public int Total { get; init; }
    public int Passed { get; init; }
    public int Failed { get; init; }
    public int Errors { get; init; }
    public int Diverged { get; init; }
    public double PassRate { get; init; }
    public IReadOnlyList<TagSummary> ByTag { get; init; } = [];
    public int Steps { get; init; }
    public int ToolCalls { get; init; }
    public int Tokens { get; init; }
    public long LatencyP50Ms { get; init; }
    public long LatencyP90Ms { get; init; }
    public long LatencyP99Ms { get; init; }

    public static SuiteSummary From(IReadOnlyList<TaskReport> tasks)
    {
        var latencies = tasks.Select(t => t.DurationMs).Order().ToList();
        var passed = tasks.Count(t => t.Passed);
        return new SuiteSummary
        {
            Total = tasks.Count,
            Passed = passed,
            Failed = tasks.Count(t => t.Status == TaskOutcome.Failed),
            Errors = tasks.Count(t => t.Status == TaskOutcome.Error),
            Diverged = tasks.Count(t => t.Status == TaskOutcome.Diverged),
            PassRate = tasks.Count == 0 ? 0 : passed / (double)tasks.Count,
            ByTag = tasks.SelectMany(t => t.Tags.Select(tag => (tag, t.Passed)))
                .GroupBy(x => x.tag, StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new TagSummary(g.Key, g.Count(), g.Count(x => x.Passed)))
                .ToList(),
            Steps = tasks.Sum(t => t.Steps),
            ToolCalls = tasks.Sum(t => t.ToolCalls),
            Tokens = tasks.Sum(t => t.Tokens),
            LatencyP50Ms = Percentile(latencies, 0.50),
            LatencyP90Ms = Percentile(latencies, 0.90),
            LatencyP99Ms = Percentile(latencies, 0.99),
        };
    }

    /// <summary>Nearest-rank percentile of sorted values (0 for none).</summary>
    public static long Percentile(IReadOnlyList<long> sorted, double fraction)
    {
        if (sorted.Count == 0) return 0;
        var rank = (int)Math.Ceiling(fraction * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}

/// <summary>A suite's run: what ran, how, every task, and the totals.</summary>
public sealed record SuiteReport
{
    public int Format { get; init; } = 1;

    /// <summary>live, record, replay or replay-frozen.</summary>
    public required string Mode { get; init; }
    public required string Provider { get; init; }
    public required string Model { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    public long DurationMs { get; init; }
    public double MinPass { get; init; }

    /// <summary>"K/N" when the run was one shard of a suite; null for a whole suite or a merged report.</summary>
    public string? Shard { get; init; }

    /// <summary>The shards a merged report was made from, in order; empty for a report of one run.</summary>
    public IReadOnlyList<string> MergedFrom { get; init; } = [];

    public required IReadOnlyList<TaskReport> Tasks { get; init; }
    public required SuiteSummary Summary { get; init; }

    /// <summary>An empty suite never meets a threshold, but an empty shard does (a small suite over many workers).</summary>
    public bool MetThreshold => Summary.Total > 0 ? Summary.PassRate + 1e-12 >= MinPass : Shard is not null;
}
