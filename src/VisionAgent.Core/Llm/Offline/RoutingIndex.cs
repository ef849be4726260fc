using System.Text.RegularExpressions;
using VisionAgent.Abstractions;
using VisionAgent.Core.Experts;

namespace VisionAgent.Core.Llm.Offline;

/// <summary>One routing rule of a loaded expert, with the tool it calls.</summary>
public sealed record RouteCandidate(ExpertEntry Expert, RoutingRule Rule, ToolDescriptor Tool);

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

    private readonly ITextEmbedder? _embedder;
    private readonly Lock _gate = new();
    private float[][]? _exampleVectors;
    private readonly List<(int Candidate, string Example)> _examples = [];

    public RoutingIndex(ExpertRegistry registry, ITextEmbedder? embedder)
    {
        _embedder = embedder;
        Candidates = BuildCandidates(registry);
        for (var i = 0; i < Candidates.Count; i++)
        {
            foreach (var example in Candidates[i].Rule.Examples.Where(e => !string.IsNullOrWhiteSpace(e)))
                _examples.Add((i, example));
        }
    }

    public IReadOnlyList<RouteCandidate> Candidates { get; }

    /// <summary>embeddings (with the model's name) or keywords.</summary>
    public string Method => _embedder is null ? "keywords" : $"{_embedder.Name} embeddings";

    /// <summary>The best rule for the question, or null when nothing matches at all.</summary>
    public RouteMatch? Best(string question, CancellationToken cancellationToken)
    {
        if (Candidates.Count == 0) return null;
        var text = Clean(question);
        if (_embedder is null || _examples.Count == 0) return BestByKeywords(text);

        var vectors = ExampleVectors(cancellationToken);
        var query = _embedder.Embed([text], cancellationToken)[0];
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
            var score = best[c] + KeywordBonus * Math.Min(3, KeywordHits(text, Candidates[c].Rule).Count);
            if (winner is null || score > winner.Score) winner = new RouteMatch(Candidates[c], score, evidence[c], "embeddings");
        }
        return winner;
    }

    private RouteMatch? BestByKeywords(string text)
    {
        RouteMatch? winner = null;
        foreach (var candidate in Candidates)
        {
            var hits = KeywordHits(text, candidate.Rule);
            if (hits.Count > 0 && (winner is null || hits.Count > winner.Score))
                winner = new RouteMatch(candidate, hits.Count, string.Join(", ", hits), "keywords");
        }
        return winner;
    }

    private float[][] ExampleVectors(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _exampleVectors ??= _embedder!.Embed(_examples.Select(e => e.Example).ToList(), cancellationToken);
        }
    }

    /// <summary>The rule's keywords found in the text as whole words or phrases.</summary>
    public static List<string> KeywordHits(string text, RoutingRule rule)
    {
        var padded = " " + Words().Replace(text.ToLowerInvariant(), " ") + " ";
        return rule.Keywords
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

    private static List<RouteCandidate> BuildCandidates(ExpertRegistry registry)
    {
        var candidates = new List<RouteCandidate>();
        foreach (var expert in registry.Experts.Where(e => e.Loaded))
        {
            var tools = registry.Tools.Where(t => t.Expert.Manifest.Name == expert.Manifest.Name).ToList();
            foreach (var rule in expert.Manifest.Routing)
            {
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
