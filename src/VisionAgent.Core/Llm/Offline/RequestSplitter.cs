using System.Text.RegularExpressions;

namespace VisionAgent.Core.Llm.Offline;

/// <summary>One request of a question that asks for several things in turn, and the rule it routes to.</summary>
public sealed record RequestPart(string Text, RouteMatch Match);

/// <summary>
/// The requests a question makes, in order: one part for an ordinary question, several for "rotate it and then make
/// it smaller"; none when the whole question is not one the planner trusts. Or why it must decline
/// (<see cref="Declined"/>): a condition, or a request of several that no expert can do, which
/// <see cref="Unreadable"/> quotes so the planner can tell an LLM-only request from an operation no expert performs.
/// </summary>
public sealed record RequestSplit(IReadOnlyList<RequestPart> Parts, string? Declined, string? Unreadable = null)
{
    public bool IsCompound => Parts.Count > 1;
}

/// <summary>
/// Finds where a question asks for several things in turn. Sequence words ("then", "after that", a semicolon) always
/// separate requests, so every part between them must be something an expert can do, or the question is declined.
/// "and", commas and sentence ends separate requests only where that reads better than not separating: each side
/// routes, on its own, to a different tool, more surely on average than the two together (a second question needs
/// only that), and the second side does not open with a determiner ("make it black and white" and "cut out the cat
/// and the dog" stay one request; "cut out the cat and put it on a green background" is two).
/// </summary>
public sealed partial class RequestSplitter(Func<string, RouteMatch?> best, Func<string, RouteMatch?> trusted)
{
    /// <summary>Optional separators tried in every combination up to this many; later ones stay unsplit.</summary>
    public const int MaxOptionalSeparators = 8;

    public RequestSplit Split(string question)
    {
        var opening = Part(question, 0, question.Length);
        if (Conditional().IsMatch(opening)) return DependsOn(opening);
        var separators = Separators(question);
        if (separators.Count == 0) return Single(question);

        var routes = new Dictionary<(int, int), RouteMatch?>();
        var bests = new Dictionary<(int, int), RouteMatch?>();
        RouteMatch? Trusted(int from, int to) => Cached(routes, from, to, trusted);
        RouteMatch? Best(int from, int to) => Cached(bests, from, to, best);
        RouteMatch? Cached(Dictionary<(int, int), RouteMatch?> cache, int from, int to, Func<string, RouteMatch?> route)
        {
            if (!cache.TryGetValue((from, to), out var match)) cache[(from, to)] = match = route(Part(question, from, to));
            return match;
        }

        var sequence = separators.Where(s => s.Sequential).ToList();
        var optional = separators.Where(s => !s.Sequential).Take(MaxOptionalSeparators).ToList();
        List<Separator>? chosen = null;
        var chosenScore = double.MinValue;
        for (var mask = 0; mask < 1 << optional.Count; mask++)
        {
            var cut = sequence.Concat(optional.Where((_, i) => (mask & (1 << i)) != 0)).OrderBy(s => s.Start).ToList();
            var bounds = Bounds(question, cut);
            if (!Readable(question, cut, bounds, Trusted, Best)) continue;
            var score = bounds.Sum(b => Trusted(b.From, b.To)!.Score);
            if (chosen is null || cut.Count > chosen.Count || (cut.Count == chosen.Count && score > chosenScore))
                (chosen, chosenScore) = (cut, score);
        }

        if (chosen is null)
        {
            // Only sequence words force a split; without one the question is read whole, as before.
            if (sequence.Count == 0) return Single(question);
            var parts = Bounds(question, sequence).Select(b => Part(question, b.From, b.To)).ToList();
            if (parts.FirstOrDefault(p => Conditional().IsMatch(p)) is { } condition) return DependsOn(condition);
            var unreadable = parts.FirstOrDefault(p => trusted(p) is null) ?? parts[0];
            return new RequestSplit([], $"it asks for several things in turn, and \"{unreadable}\" is not something an expert can do (or not clear enough to trust)", unreadable);
        }
        if (chosen.Count == 0) return Single(question);
        var requests = Bounds(question, chosen).Select(b => new RequestPart(Part(question, b.From, b.To), Trusted(b.From, b.To)!)).ToList();
        return requests.FirstOrDefault(r => Conditional().IsMatch(r.Text)) is { } conditional ? DependsOn(conditional.Text) : new RequestSplit(requests, null);
    }

    /// <summary>Declined: whether to act depends on something only judgement can tell ("if it's too dark, brighten it").</summary>
    private static RequestSplit DependsOn(string condition) =>
        new([], $"the request depends on a condition (\"{(condition.Length <= 80 ? condition : condition[..80] + "...")}\"), which needs judgement");

    /// <summary>One request: the whole question, routed as it always was (declined there when it must be).</summary>
    private RequestSplit Single(string question) =>
        trusted(question) is { } match ? new RequestSplit([new RequestPart(question, match)], null) : new RequestSplit([], null);

    /// <summary>
    /// True when every part routes to a tool the planner trusts, and each optional separator reads better split: the
    /// second side does not continue the first, the two go to different tools, and they are routed more surely on
    /// average than the two together (or the second is a question of its own).
    /// </summary>
    private static bool Readable(string question, List<Separator> cut, List<(int From, int To)> bounds, Func<int, int, RouteMatch?> routed, Func<int, int, RouteMatch?> best)
    {
        for (var j = 0; j < bounds.Count; j++)
        {
            // Beside "and" or a comma a single word ("black and white") is no request; after "then" it may be ("then resize").
            var beside = (j > 0 && !cut[j - 1].Sequential) || (j < cut.Count && !cut[j].Sequential);
            if (Words().Count(Part(question, bounds[j].From, bounds[j].To)) < (beside ? 2 : 1) || routed(bounds[j].From, bounds[j].To) is null) return false;
        }
        for (var i = 0; i < cut.Count; i++)
        {
            if (cut[i].Sequential) continue;
            // "cut out the cat and the dog": a part that opens with a determiner continues the one before it.
            if (Continuation().IsMatch(Part(question, bounds[i + 1].From, bounds[i + 1].To))) return false;
            var (left, right) = (bounds[i], bounds[i + 1]);
            var (a, b) = (routed(left.From, left.To)!, routed(right.From, right.To)!);
            if (a.Route.Tool.Name == b.Route.Tool.Name) return false;
            // A second question ("..., and what does the text say") is a request of its own however well the whole
            // question routes; anything else must read better split than whole.
            if (NewQuestion().IsMatch(Part(question, right.From, right.To))) continue;
            var together = best(left.From, right.To);
            if (together is not null && (a.Score + b.Score) / 2 <= together.Score) return false;
        }
        return true;
    }

    private static List<(int From, int To)> Bounds(string question, List<Separator> cut)
    {
        var bounds = new List<(int, int)>();
        var from = 0;
        foreach (var separator in cut)
        {
            bounds.Add((from, separator.Start));
            from = separator.End;
        }
        bounds.Add((from, question.Length));
        return bounds;
    }

    // On one line: parts are quoted in the planner's own ReAct text, where a line break could start a line of its own.
    private static string Part(string question, int from, int to) => Whitespace().Replace(question[from..to], " ").Trim().Trim(',', ';', ':').Trim();

    /// <summary>
    /// The places that may separate requests, sequence words first; a separator is kept only where there are words on
    /// both sides ("Okay then, rotate it" and a leading "Then" separate nothing).
    /// </summary>
    private static List<Separator> Separators(string question)
    {
        var found = new List<Separator>();
        void Add(Regex pattern, bool sequential)
        {
            foreach (Match m in pattern.Matches(question))
            {
                if (found.Any(s => m.Index < s.End && s.Start < m.Index + m.Length)) continue;
                found.Add(new Separator(m.Index, m.Index + m.Length, sequential));
            }
        }
        Add(SequenceWords(), sequential: true);
        Add(OptionalSeparators(), sequential: false);
        found.Sort((a, b) => a.Start.CompareTo(b.Start));

        // Optional separators with too few words beside them are left to Readable, which refuses such parts.
        var kept = new List<Separator>();
        var sequence = found.Where(s => s.Sequential).ToList();
        for (var i = 0; i < sequence.Count; i++)
        {
            var before = question[(kept.Count > 0 ? kept[^1].End : 0)..sequence[i].Start];
            var after = question[sequence[i].End..(i + 1 < sequence.Count ? sequence[i + 1].Start : question.Length)];
            if (Words().Count(before) >= 2 && Words().Count(after) >= 1) kept.Add(sequence[i]);
        }
        return [.. kept.Concat(found.Where(s => !s.Sequential)).OrderBy(s => s.Start)];
    }

    private sealed record Separator(int Start, int End, bool Sequential);

    // Whitespace runs are matched atomically and only from their first character, so a long run costs linear time.
    [GeneratedRegex(@"(?<![\s,;.?!])(?>\s*)(?:(?:[,;]|[.?!](?=\s))?(?>\s*)\b(?:and(?>\s+))?(?:then|after\s+that|afterwards)\b|(?:[,;]|[.?!](?=\s)|(?<=\s)and(?=\s))(?>\s*)(?:next|finally|lastly)\b|;)[,:]?(?>\s*)", RegexOptions.IgnoreCase)]
    private static partial Regex SequenceWords();

    [GeneratedRegex(@"(?<![\s,])(?>\s*),?(?>\s*)\b(?:and|also|plus)(?>\s+)(?:also(?>\s+))?|(?<![\s,])(?>\s*),(?>\s+)|(?<=[.?!])(?>\s+)", RegexOptions.IgnoreCase)]
    private static partial Regex OptionalSeparators();

    [GeneratedRegex(@"^(?:the|a|an|this|that|these|those|its|it's|their|his|her|my|your|our|some|any|every|each|all|both|no)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Continuation();

    [GeneratedRegex(@"^(?:what|what's|how|where|which|who|whose|when|is|are|does|do|did|can|could|will|would|has|have|was|were)\b", RegexOptions.IgnoreCase)]
    private static partial Regex NewQuestion();

    // "when it is dark, ..." is a condition; "when was it taken" is a question.
    [GeneratedRegex(@"^(?:if|unless|whenever|whether|in\s+case|only\s+if)\b|^when\b(?!\s+(?:was|is|were|are|did|does|do|will|can|could|would|has|have|had)\b)", RegexOptions.IgnoreCase)]
    private static partial Regex Conditional();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex Words();
}
