namespace VisionAgent.Evaluation.Reports;

/// <summary>One task in two reports and which way it moved.</summary>
public sealed record TaskComparison(string Id, string? Before, string? After, string Change, string Detail);

/// <summary>Compares two reports task by task: better, worse, same, added or removed.</summary>
public static class ReportComparer
{
    public const string Better = "better";
    public const string Worse = "worse";
    public const string Same = "same";
    public const string Added = "added";
    public const string Removed = "removed";

    public static IReadOnlyList<TaskComparison> Compare(SuiteReport before, SuiteReport after)
    {
        var a = before.Tasks.ToDictionary(t => t.Id, StringComparer.Ordinal);
        var b = after.Tasks.ToDictionary(t => t.Id, StringComparer.Ordinal);
        var ids = before.Tasks.Select(t => t.Id).Concat(after.Tasks.Select(t => t.Id).Where(id => !a.ContainsKey(id)));
        return ids.Select(id =>
        {
            a.TryGetValue(id, out var x);
            b.TryGetValue(id, out var y);
            if (x is null) return new TaskComparison(id, null, y!.Status, Added, y.Reason());
            if (y is null) return new TaskComparison(id, x.Status, null, Removed, "");
            var change = Score(y).CompareTo(Score(x)) switch { > 0 => Better, < 0 => Worse, _ => Same };
            var detail = change == Same ? "" : (y.Passed ? "" : y.Reason());
            return new TaskComparison(id, x.Status, y.Status, change, detail);
        }).ToList();
    }

    /// <summary>A pass beats any failure; among failures, more passed turns and then more passed checks are better.</summary>
    private static (int, int, int) Score(TaskReport task) =>
        (task.Passed ? 1 : 0, task.Turns.Count(t => t.Passed), task.Turns.Sum(t => t.Checks.Count(c => c.Passed)));
}
