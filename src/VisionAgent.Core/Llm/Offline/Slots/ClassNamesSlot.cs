using System.Text.RegularExpressions;

namespace VisionAgent.Core.Llm.Offline.Slots;

/// <summary>
/// The object classes a detection question is about, singular and comma-separated: "how many dogs" (dog),
/// "count the people" (person), "is there a cat or a dog" (cat,dog), "is anyone in the photo" (person). Generic
/// words (objects, things) give no class, so every class is kept.
/// </summary>
public sealed partial class ClassNamesSlot : SlotType
{
    private static readonly HashSet<string> Generic = new(StringComparer.Ordinal)
    {
        "object", "objects", "thing", "things", "item", "items", "anything", "everything", "stuff", "something", "it", "them",
        "this", "that", "these", "those", "what", "there", "here", "picture", "image", "photo", "you",
    };

    private static readonly HashSet<string> Stop = new(StringComparer.Ordinal)
    {
        "are", "is", "can", "do", "does", "in", "on", "at", "of", "there", "you", "here", "visible", "present", "shown",
        "to", "from", "this", "that", "the", "a", "an", "and", "or", "with", "near", "around", "inside", "please", "i", "we",
    };

    private static readonly Dictionary<string, string> Irregular = new(StringComparer.Ordinal)
    {
        ["people"] = "person", ["persons"] = "person", ["men"] = "person", ["man"] = "person", ["women"] = "person",
        ["woman"] = "person", ["children"] = "person", ["child"] = "person", ["kids"] = "person", ["kid"] = "person",
        ["anyone"] = "person", ["anybody"] = "person", ["someone"] = "person", ["somebody"] = "person", ["boy"] = "person",
        ["girl"] = "person", ["boys"] = "person", ["girls"] = "person", ["humans"] = "person", ["human"] = "person",
        ["mice"] = "mouse", ["knives"] = "knife", ["sheep"] = "sheep", ["skis"] = "skis", ["scissors"] = "scissors",
        ["buses"] = "bus", ["couches"] = "couch", ["benches"] = "bench", ["boxes"] = "box",
    };

    public override string Name => "classes";

    public override string Need => "which objects";

    public override IReadOnlyList<string> Examples { get; } =
        ["how many dogs", "count the people", "is there a cat or a dog", "where is the bicycle", "is anyone in the photo"];

    public override string? Extract(SlotQuestion question)
    {
        var lead = Lead().Match(question.Text);
        if (!lead.Success) return null;
        var names = new List<string>();
        foreach (var phrase in Separator().Split(lead.Groups["rest"].Value))
        {
            var words = Word().Matches(phrase).Select(m => m.Value).SkipWhile(w => w is "the" or "a" or "an" or "any" or "all" or "every" or "some" or "my" or "each").ToList();
            var kept = words.TakeWhile(w => !Stop.Contains(w)).Take(2).ToList();
            if (kept.Count == 0) break;
            if (kept.Any(Generic.Contains)) return null;
            kept[^1] = Singular(kept[^1]);
            names.Add(string.Join(' ', kept));
            if (words.Count > kept.Count) break;
        }
        return names.Count == 0 ? null : string.Join(",", names.Distinct(StringComparer.Ordinal));
    }

    public static string Singular(string word)
    {
        if (Irregular.TryGetValue(word, out var known)) return known;
        if (word.EndsWith("ies", StringComparison.Ordinal) && word.Length > 4) return word[..^3] + "y";
        if (word.EndsWith("ches", StringComparison.Ordinal) || word.EndsWith("shes", StringComparison.Ordinal) || word.EndsWith("xes", StringComparison.Ordinal)) return word[..^2];
        if (word.EndsWith('s') && !word.EndsWith("ss", StringComparison.Ordinal) && word.Length > 3) return word[..^1];
        return word;
    }

    [GeneratedRegex(@"\b(?:how many|count(?: up)?|number of|(?:is|are) there|where(?:'s| is| are)|find|locate|spot|point out|detect|any|is(?=\s+(?:anyone|anybody|someone|somebody)))\s+(?<rest>[a-z' ,-]+)")]
    private static partial Regex Lead();

    [GeneratedRegex(@"\s*(?:,|\band\b|\bor\b)\s*")]
    private static partial Regex Separator();

    [GeneratedRegex(@"[a-z]+")]
    private static partial Regex Word();
}
