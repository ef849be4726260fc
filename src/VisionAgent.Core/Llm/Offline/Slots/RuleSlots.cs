using VisionAgent.Abstractions;

namespace VisionAgent.Core.Llm.Offline.Slots;

/// <summary>The values a rule's slots found in a question, and the required parameters none was found for.</summary>
public sealed record SlotFilling(IReadOnlyDictionary<string, string> Values, IReadOnlyList<string> Missing)
{
    public bool Complete => Missing.Count == 0;
}

/// <summary>Fills a routing rule's slots from a question and words the question back when a required value is missing.</summary>
public static class RuleSlots
{
    public static SlotFilling Fill(RoutingRule rule, SlotQuestion question)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (parameter, typeName) in rule.Slots)
        {
            if (SlotLibrary.Find(typeName)?.Extract(question) is { } value) values[parameter] = value;
        }
        var missing = rule.Require
            .Where(group => !Parameters(group).Any(p => values.ContainsKey(p) || rule.Arguments.ContainsKey(p)))
            .ToList();
        return new SlotFilling(values, missing);
    }

    /// <summary>Slot types a rule names that the library does not have.</summary>
    public static IEnumerable<string> UnknownTypes(RoutingRule rule) =>
        rule.Slots.Values.Where(name => SlotLibrary.Find(name) is null).Distinct(StringComparer.OrdinalIgnoreCase);

    /// <summary>What is missing and how to say it: "the angle (say it like "by 90 degrees", "180°" or "upside down")".</summary>
    public static string Describe(RoutingRule rule, string requirement)
    {
        var types = Parameters(requirement)
            .Select(p => rule.Slots.TryGetValue(p, out var name) ? SlotLibrary.Find(name) : null)
            .ToList();
        var needs = Parameters(requirement).Zip(types, (p, t) => t?.Need ?? $"a value for {p}").Distinct().ToList();
        // One example of each type in turn, so a group of several types shows each of them.
        var known = types.OfType<SlotType>().Distinct().ToList();
        var examples = Enumerable.Range(0, known.Count == 0 ? 0 : known.Max(t => t.Examples.Count))
            .SelectMany(i => known.Where(t => i < t.Examples.Count).Select(t => t.Examples[i]))
            .Distinct().Take(4).Select(e => $"\"{e}\"").ToList();
        var what = JoinOr(needs);
        return examples.Count == 0 ? what : $"{what} (say it like {JoinOr(examples)})";
    }

    private static IEnumerable<string> Parameters(string requirement) =>
        requirement.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string JoinOr(IReadOnlyList<string> items) =>
        items.Count <= 1 ? string.Concat(items) : string.Join(", ", items.Take(items.Count - 1)) + " or " + items[^1];
}
