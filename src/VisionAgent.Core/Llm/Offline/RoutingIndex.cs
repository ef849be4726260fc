using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using VisionAgent.Abstractions;
using VisionAgent.Core.Experts;

namespace VisionAgent.Core.Llm.Offline;

/// <summary>One routing rule of a loaded expert, with the tool it calls.</summary>
public sealed record RouteCandidate(ExpertEntry Expert, RoutingRule Rule, ToolDescriptor Tool);

/// <summary>
/// Why a question is turned down: it needs an LLM (<see cref="NeedsLlm"/>), or it asks for an operation no expert
/// performs; <see cref="Reason"/> says which (for an operation, the keyword or example it matched).
/// </summary>
public sealed record TurnDown(bool NeedsLlm, string Reason);

/// <summary>The rule a question matched, how well (cosine similarity plus a small keyword bonus, or keyword hits), and how.</summary>
public sealed record RouteMatch(RouteCandidate Route, double Score, string Evidence, string Method);

/// <summary>
/// The routing examples and keywords of every loaded expert's manifest, matched against a question by sentence
/// embeddings (examples embedded once and cached), or by keywords alone when no embedder is available.
/// </summary>
public sealed partial class RoutingIndex
{
    /// <summary>Each matching keyword adds this much to an embedding score (at most three count).</summary>
    public const double KeywordBonus = 0.05;

    /// <summary>Added when a rule needs values and the question gives all of them ("rotate by 90 degrees").</summary>
    public const double SlotBonus = 0.1;

    private readonly ITextEmbedder? _embedder;
    private readonly Lock _gate = new();
    private float[][]? _exampleVectors;
    private readonly List<(int Candidate, string Example)> _examples = [];
    private readonly DeclineRules _declines;
    private float[][]? _declineVectors;
    private float[][]? _unsupportedVectors;
    private readonly ConcurrentDictionary<string, float[]> _queries = new(StringComparer.Ordinal);
    private const int MaxCachedQueries = 256;

    public RoutingIndex(ExpertRegistry registry, ITextEmbedder? embedder, DeclineRules? declines = null)
    {
        _embedder = embedder;
        _declines = declines ?? new DeclineRules();
        var problems = new List<string>();
        Candidates = BuildCandidates(registry, problems);
        Problems = problems;
        for (var i = 0; i < Candidates.Count; i++)
        {
            foreach (var example in Candidates[i].Rule.Examples.Where(e => !string.IsNullOrWhiteSpace(e)))
                _examples.Add((i, example));
        }
    }

    public IReadOnlyList<RouteCandidate> Candidates { get; }

    /// <summary>Rules left out because they name slot types the planner does not have.</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>embeddings (with the model's name) or keywords.</summary>
    public string Method => _embedder is null ? "keywords" : $"{_embedder.Name} embeddings";

    /// <summary>The best rule for the question, or null when nothing matches at all.</summary>
    public RouteMatch? Best(string question, CancellationToken cancellationToken)
    {
        if (Candidates.Count == 0) return null;
        var text = Clean(question);
        if (_embedder is null || _examples.Count == 0) return BestByKeywords(text);

        var vectors = ExampleVectors(cancellationToken);
        var query = QueryVector(text, cancellationToken);
        var best = new double[Candidates.Count];
        var evidence = new string[Candidates.Count];
        Array.Fill(best, double.MinValue);
        for (var e = 0; e < _examples.Count; e++)
        {
            var similarity = Dot(query, vectors[e]);
            var (candidate, example) = _examples[e];
            if (similarity > best[candidate])
            {
                best[candidate] = similarity;
                evidence[candidate] = example;
            }
        }
        RouteMatch? winner = null;
        for (var c = 0; c < Candidates.Count; c++)
        {
            if (best[c] == double.MinValue) continue;
            var score = best[c] + KeywordBonus * Math.Min(3, KeywordHits(text, Candidates[c].Rule).Count) +
                (GivesRequiredValues(text, Candidates[c].Rule) ? SlotBonus : 0);
            if (winner is null || score > winner.Score) winner = new RouteMatch(Candidates[c], score, evidence[c], "embeddings");
        }
        return winner;
    }

    /// <summary>
    /// Why the planner must turn the question down, or null when an expert may answer it. First the keywords: those of
    /// requests only an LLM can answer, then those of operations no expert performs. Then the closest example of
    /// either kind, when it is at least as close as the best expert rule; the closer kind wins.
    /// </summary>
    public TurnDown? TurnDownReason(string question, RouteMatch? best, CancellationToken cancellationToken)
    {
        var text = Clean(question);
        if (KeywordHits(text, _declines.Keywords) is [var hit, ..])
            return new TurnDown(true, $"\"{hit}\" asks for writing, judgement or knowledge that no expert has");
        if (KeywordHits(text, _declines.Unsupported.Keywords) is [var operation, ..]) return new TurnDown(false, operation);
        if (_embedder is null || best is null) return null;
        var query = QueryVector(text, cancellationToken);
        var (llm, llmExample) = Closest(query, _declines.Examples, ref _declineVectors, cancellationToken);
        var (unsupported, unsupportedExample) = Closest(query, _declines.Unsupported.Examples, ref _unsupportedVectors, cancellationToken);
        if (llm >= best.Score && llm >= unsupported)
            return new TurnDown(true, $"it is closest to a request only an LLM can answer (\"{llmExample}\", {llm:0.00} against {best.Score:0.00} for {best.Route.Tool.Name})");
        return unsupported >= best.Score ? new TurnDown(false, unsupportedExample!) : null;
    }

    /// <summary>The example of <paramref name="examples"/> closest to the query, and its similarity (embedded once).</summary>
    private (double Similarity, string? Example) Closest(float[] query, List<string> examples, ref float[][]? vectors, CancellationToken cancellationToken)
    {
        if (examples.Count == 0) return (double.MinValue, null);
        float[][] embedded;
        lock (_gate)
        {
            embedded = vectors ??= _embedder!.Embed(examples, cancellationToken);
        }
        var (similarity, index) = embedded.Select((v, i) => (Dot(query, v), i)).Max();
        return (similarity, examples[index]);
    }

    private RouteMatch? BestByKeywords(string text)
    {
        RouteMatch? winner = null;
        foreach (var candidate in Candidates)
        {
            var hits = KeywordHits(text, candidate.Rule);
            var score = hits.Count + (hits.Count > 0 && GivesRequiredValues(text, candidate.Rule) ? 1 : 0);
            if (hits.Count > 0 && (winner is null || score > winner.Score))
                winner = new RouteMatch(candidate, score, string.Join(", ", hits), "keywords");
        }
        return winner;
    }

    /// <summary>True when the rule needs values and the question says every one of them.</summary>
    private static bool GivesRequiredValues(string text, RoutingRule rule)
    {
        if (rule.Require.Count == 0) return false;
        var filling = Slots.RuleSlots.Fill(rule, new Slots.SlotQuestion(text));
        return filling.Complete && filling.Values.Count > 0;
    }

    /// <summary>
    /// The text's vector. Every step of a run routes the question, and its parts when it asks for several things, the
    /// same way, so recent vectors are kept (a bounded number; the cache starts over when full).
    /// </summary>
    private float[] QueryVector(string text, CancellationToken cancellationToken)
    {
        if (_queries.TryGetValue(text, out var cached)) return cached;
        var vector = _embedder!.Embed([text], cancellationToken)[0];
        if (_queries.Count >= MaxCachedQueries) _queries.Clear();
        _queries[text] = vector;
        return vector;
    }

    private float[][] ExampleVectors(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _exampleVectors ??= _embedder!.Embed(_examples.Select(e => e.Example).ToList(), cancellationToken);
        }
    }

    /// <summary>The rule's keywords found in the text as whole words or phrases.</summary>
    public static List<string> KeywordHits(string text, RoutingRule rule) => KeywordHits(text, rule.Keywords);

    /// <summary>The keywords found in the text as whole words or phrases.</summary>
    public static List<string> KeywordHits(string text, IEnumerable<string> keywords)
    {
        var padded = " " + Words().Replace(text.ToLowerInvariant().Replace('’', '\''), " ") + " ";
        return keywords
            .Where(k => !string.IsNullOrWhiteSpace(k))
            .Where(k => padded.Contains(" " + Words().Replace(k.ToLowerInvariant(), " ").Trim() + " ", StringComparison.Ordinal))
            .ToList();
    }

    /// <summary>Removes handles, region references and paths, which say nothing about the task.</summary>
    public static string Clean(string question)
    {
        var text = Handles().Replace(question, " ");
        return Spaces().Replace(text, " ").Trim();
    }

    private static double Dot(float[] a, float[] b)
    {
        var sum = 0.0;
        for (var i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    private static List<RouteCandidate> BuildCandidates(ExpertRegistry registry, List<string> problems)
    {
        var candidates = new List<RouteCandidate>();
        foreach (var expert in registry.Experts.Where(e => e.Loaded))
        {
            var tools = registry.Tools.Where(t => t.Expert.Manifest.Name == expert.Manifest.Name).ToList();
            foreach (var rule in expert.Manifest.Routing)
            {
                var unknown = Slots.RuleSlots.UnknownTypes(rule).ToList();
                if (unknown.Count > 0)
                {
                    problems.Add($"expert '{expert.Manifest.Name}': a routing rule names unknown slot type(s) {string.Join(", ", unknown)} and is not used (known: {string.Join(", ", Slots.SlotLibrary.All.Select(t => t.Name))})");
                    continue;
                }
                var tool = ToolFor(tools, rule.Function);
                if (tool is not null) candidates.Add(new RouteCandidate(expert, rule, tool));
            }
        }
        return candidates;
    }

    /// <summary>The tool a rule names, or the expert's only (or first) tool when it names none.</summary>
    public static ToolDescriptor? ToolFor(IReadOnlyList<ToolDescriptor> expertTools, string? function) =>
        function is null
            ? expertTools.FirstOrDefault()
            : expertTools.FirstOrDefault(t => string.Equals(t.Function.Name, function, StringComparison.OrdinalIgnoreCase));

    [GeneratedRegex(@"(\bimg\d+(#\w+)?\b)|((?:[A-Za-z]:\\|\\\\|~?/|\.{1,2}/)\S+)", RegexOptions.IgnoreCase)]
    private static partial Regex Handles();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    [GeneratedRegex(@"[^\p{L}\p{N}]+")]
    private static partial Regex Words();
}
