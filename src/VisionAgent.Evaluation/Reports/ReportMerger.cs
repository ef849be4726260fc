using System.Globalization;
using VisionAgent.Abstractions;

namespace VisionAgent.Evaluation.Reports;

/// <summary>
/// Puts shard reports back together into one report: every task once, ordered by file and line, the summary
/// recomputed from the tasks. Refuses what would make the merged verdict untrustworthy: a task in two reports,
/// shards of different splits, a missing shard, runs in different modes or with different thresholds.
/// </summary>
public static class ReportMerger
{
    /// <param name="reports">The reports with the names (paths) errors should use for them.</param>
    /// <param name="minPass">The merged threshold; null takes the shards' own, which must agree.</param>
    public static SuiteReport Merge(IReadOnlyList<(string Source, SuiteReport Report)> reports, double? minPass = null)
    {
        if (reports.Count == 0) throw new BadInputException("eval merge needs at least one report");
        CheckShards(reports);

        var modes = reports.Select(r => r.Report.Mode).Distinct(StringComparer.Ordinal).ToList();
        if (modes.Count > 1)
            throw new BadInputException($"the reports were run in different modes ({string.Join(", ", modes)}); merge runs of one mode");
        var thresholds = reports.Select(r => r.Report.MinPass).Distinct().ToList();
        if (minPass is null && thresholds.Count > 1)
            throw new BadInputException($"the reports have different --min-pass values ({string.Join(", ", thresholds.Select(t => t.ToString(CultureInfo.InvariantCulture)))}); give one with --min-pass");

        var seen = new Dictionary<(string File, string Id), string>();
        foreach (var (source, report) in reports)
        {
            foreach (var task in report.Tasks)
            {
                var key = (TaskKey.File(task), task.Id);
                if (!seen.TryAdd(key, source))
                    throw new BadInputException($"task '{task.Id}' ({task.File}) is in both {seen[key]} and {source}: each task must be in one shard report");
            }
        }

        var tasks = reports.SelectMany(r => r.Report.Tasks)
            .OrderBy(t => TaskKey.File(t), StringComparer.Ordinal)
            .ThenBy(t => t.Line)
            .ThenBy(t => t.Id, StringComparer.Ordinal)
            .ToList();
        return new SuiteReport
        {
            Mode = modes[0],
            Provider = Joined(reports.Select(r => r.Report.Provider)),
            Model = Joined(reports.Select(r => r.Report.Model)),
            StartedAt = reports.Min(r => r.Report.StartedAt),
            DurationMs = reports.Sum(r => r.Report.DurationMs),
            MinPass = minPass ?? thresholds[0],
            MergedFrom = reports.Select(r => r.Report.Shard ?? r.Source).ToList(),
            Tasks = tasks,
            Summary = SuiteSummary.From(tasks),
        };
    }

    /// <summary>Shard reports must all come from one split and cover every shard of it once.</summary>
    private static void CheckShards(IReadOnlyList<(string Source, SuiteReport Report)> reports)
    {
        var shards = reports.Where(r => r.Report.Shard is not null).ToList();
        if (shards.Count == 0) return;
        if (shards.Count != reports.Count)
            throw new BadInputException($"{reports.First(r => r.Report.Shard is null).Source} is not a shard report; merge the shards of one run");
        var parsed = shards.Select(r => (r.Source, Shard: Running.SuiteShard.Parse(r.Report.Shard!))).ToList();
        var counts = parsed.Select(p => p.Shard.Count).Distinct().ToList();
        if (counts.Count > 1)
            throw new BadInputException($"the reports come from different splits ({string.Join(", ", parsed.Select(p => $"{p.Source}: {p.Shard}"))})");
        foreach (var duplicate in parsed.GroupBy(p => p.Shard.Index).Where(g => g.Count() > 1))
            throw new BadInputException($"shard {duplicate.First().Shard} is given twice ({string.Join(", ", duplicate.Select(d => d.Source))})");
        var missing = Enumerable.Range(1, counts[0]).Except(parsed.Select(p => p.Shard.Index)).ToList();
        if (missing.Count > 0)
            throw new BadInputException($"shard{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing.Select(m => $"{m}/{counts[0]}"))} missing: the merged report would leave out their tasks");
    }

    private static string Joined(IEnumerable<string> values) => string.Join(", ", values.Distinct(StringComparer.Ordinal));
}

/// <summary>How reports name a task across runs and machines: its file with forward slashes, and its id.</summary>
public static class TaskKey
{
    public static string File(TaskReport task) => task.File.Replace('\\', '/');
}
