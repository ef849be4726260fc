using static System.FormattableString;

namespace VisionAgent.Evaluation.Reports;

/// <summary>One task in two reports and which way it moved, with why.</summary>
public sealed record TaskComparison(string File, string Id, string? Before, string? After, string Change, string Detail);

/// <summary>The rows of a comparison and what the reader should know about the inputs (duplicate tasks).</summary>
public sealed record ReportComparison(IReadOnlyList<TaskComparison> Rows, IReadOnlyList<string> Warnings);

/// <summary>
/// Compares two reports task by task: better, worse, same, added or removed. Tasks are matched by (file, id), so two
/// tasks that share an id in different files stay apart; a key that occurs twice in one report is compared by
/// position and named in a warning.
/// </summary>
public static class ReportComparer
{
    public const string Better = "better";
    public const string Worse = "worse";
    public const string Same = "same";
    public const string Added = "added";
    public const string Removed = "removed";

    public static ReportComparison Compare(SuiteReport before, SuiteReport after)
    {
        var warnings = new List<string>();
        var a = Keyed(before, "the first report", warnings);
        var b = Keyed(after, "the second report", warnings);
        var keys = a.Keys.Concat(b.Keys.Where(k => !a.ContainsKey(k))).ToList();
        var rows = new List<TaskComparison>();
        foreach (var key in keys)
        {
            var xs = a.GetValueOrDefault(key) ?? [];
            var ys = b.GetValueOrDefault(key) ?? [];
            for (var i = 0; i < Math.Max(xs.Count, ys.Count); i++)
                rows.Add(Row(key.File, key.Id, i < xs.Count ? xs[i] : null, i < ys.Count ? ys[i] : null, keys));
        }
        return new ReportComparison(rows, warnings);
    }

    private static Dictionary<(string File, string Id), List<TaskReport>> Keyed(SuiteReport report, string name, List<string> warnings)
    {
        var keyed = new Dictionary<(string File, string Id), List<TaskReport>>();
        foreach (var task in report.Tasks)
        {
            var key = (TaskKey.File(task), task.Id);
            if (!keyed.TryGetValue(key, out var list)) keyed[key] = list = [];
            list.Add(task);
        }
        foreach (var (key, list) in keyed.Where(k => k.Value.Count > 1))
            warnings.Add(Invariant($"{name} holds task '{key.Id}' of {key.File} {list.Count} times; its copies are compared in order"));
        foreach (var group in keyed.Keys.GroupBy(k => k.Id, StringComparer.Ordinal).Where(g => g.Count() > 1))
            warnings.Add($"{name} uses task id '{group.Key}' in {group.Count()} files ({string.Join(", ", group.Select(k => k.File))}); they are compared as different tasks");
        return keyed;
    }

    private static TaskComparison Row(string file, string id, TaskReport? x, TaskReport? y, IReadOnlyList<(string File, string Id)> keys)
    {
        if (x is null)
        {
            var moved = keys.FirstOrDefault(k => k.Id == id && k.File != file);
            var where = moved == default ? "" : $" (a task '{id}' is also in {moved.File})";
            return new TaskComparison(file, id, null, y!.Status, Added, (y.Passed ? "new, passes" : "new, " + y.Reason()) + where);
        }
        if (y is null) return new TaskComparison(file, id, x.Status, null, Removed, x.Passed ? "was passing" : "was " + x.Status);
        var (before, after) = (Score(x), Score(y));
        var change = after.CompareTo(before) switch { > 0 => Better, < 0 => Worse, _ => Same };
        return new TaskComparison(file, id, x.Status, y.Status, change, Explain(change, x, y, before, after));
    }

    /// <summary>Why a task moved: what passes now that did not, or the check that fails now.</summary>
    private static string Explain(string change, TaskReport x, TaskReport y, (int Passed, int Turns, int Checks) before, (int Passed, int Turns, int Checks) after)
    {
        if (change == Same) return x.Passed ? "" : "still " + y.Reason();
        if (change == Better && y.Passed) return "passes now; before: " + x.Reason();
        if (change == Worse && x.Passed) return "fails now: " + y.Reason();
        var counts = before.Turns != after.Turns
            ? Invariant($"{after.Turns} of {y.Turns.Count} turns pass (was {before.Turns} of {x.Turns.Count})")
            : Invariant($"{after.Checks} checks pass (was {before.Checks})");
        return $"{counts}; now: {y.Reason()}";
    }

    /// <summary>A pass beats any failure; among failures, more passed turns and then more passed checks are better.</summary>
    private static (int Passed, int Turns, int Checks) Score(TaskReport task) =>
        (task.Passed ? 1 : 0, task.Turns.Count(t => t.Passed), task.Turns.Sum(t => t.Checks.Count(c => c.Passed)));
}
