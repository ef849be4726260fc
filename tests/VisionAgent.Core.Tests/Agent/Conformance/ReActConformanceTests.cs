using VisionAgent.Core.Agent;
using VisionAgent.Testing;
using Xunit.Abstractions;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace VisionAgent.Core.Tests.Agent.Conformance;

/// <summary>
/// Replays the conformance corpus (reply shapes other frameworks collected from real models, in our protocol's terms)
/// through the parser, and the wrapped-argument cases through the tool invoker as well.
/// </summary>
public sealed class ReActConformanceTests(ITestOutputHelper output)
{
    private static readonly Lazy<IReadOnlyList<ConformanceCase>> Corpus = new(Load);

    public static TheoryData<string> CaseIds()
    {
        var data = new TheoryData<string>();
        foreach (var c in Corpus.Value) data.Add(c.Id);
        return data;
    }

    [Theory]
    [MemberData(nameof(CaseIds))]
    public void Reads_each_reply_as_expected(string id)
    {
        var conformance = Corpus.Value.Single(c => c.Id == id);

        var parsed = ReActParser.Parse(conformance.Reply);

        var mismatch = ConformanceCheck.Compare(conformance, parsed);
        Assert.True(mismatch is null, $"{id} ({conformance.Source}): {mismatch}");
    }

    [Fact]
    public void Every_case_passes_and_the_pass_rate_is_reported()
    {
        var failures = Corpus.Value
            .Select(c => (c.Id, Problem: ConformanceCheck.Compare(c, ReActParser.Parse(c.Reply))))
            .Where(r => r.Problem is not null)
            .ToList();
        var passed = Corpus.Value.Count - failures.Count;

        output.WriteLine($"conformance: {passed}/{Corpus.Value.Count} replies read as expected ({100.0 * passed / Corpus.Value.Count:0.0}%)");
        foreach (var (caseId, problem) in failures) output.WriteLine($"  {caseId}: {problem}");
        Assert.Empty(failures);
    }

    [Fact]
    public void The_corpus_is_large_cited_and_covers_every_class()
    {
        var corpus = Corpus.Value;

        Assert.True(corpus.Count >= 150, $"{corpus.Count} cases");
        Assert.All(corpus, c => Assert.False(string.IsNullOrWhiteSpace(c.Source), c.Id));
        Assert.Equal(corpus.Count, corpus.Select(c => c.Id).Distinct().Count());
        for (var issueClass = 0; issueClass <= 9; issueClass++)
            Assert.Contains(corpus, c => c.Class == issueClass);
    }

    [Fact]
    public void No_reply_calls_a_tool_it_did_not_name()
    {
        foreach (var conformance in Corpus.Value)
        {
            var parsed = ReActParser.Parse(conformance.Reply);
            foreach (var action in parsed.Actions)
                Assert.True(conformance.Reply.Contains(action.Tool, StringComparison.OrdinalIgnoreCase), $"{conformance.Id}: '{action.Tool}' is not in the reply");
        }
    }

    [Fact]
    public async Task Wrapped_and_misnamed_arguments_reach_the_tool_or_are_named_in_the_observation()
    {
        var (host, _) = TestHosts.Create();
        await using var _host = host;
        host.Images.AddInput(RepositoryPaths.SampleImage("chelsea.png"));
        var cases = Corpus.Value.Where(c => c.Invoke is not null).ToList();
        Assert.NotEmpty(cases);

        foreach (var conformance in cases)
        {
            var action = Assert.Single(ReActParser.Parse(conformance.Reply).Actions);

            var outcome = await host.Invoker.InvokeAsync(action.Tool, action.Arguments, action.Positional, CancellationToken.None);

            if (conformance.Invoke!.TryGetValue("refused", out var named))
            {
                Assert.True(outcome.Failed, $"{conformance.Id}: expected a refusal, got {outcome.Observation}");
                Assert.Contains(named, outcome.Observation, StringComparison.OrdinalIgnoreCase);
            }
            else
            {
                Assert.False(outcome.Failed, $"{conformance.Id}: {outcome.Observation}");
                Assert.Equal(ConformanceCheck.Show(conformance.Invoke), ConformanceCheck.Show(outcome.Arguments));
            }
        }
    }

    private static List<ConformanceCase> Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Agent", "Conformance", "react-replies.yaml");
        var deserializer = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build();
        return deserializer.Deserialize<ConformanceFile>(File.ReadAllText(path)).Cases;
    }
}

public sealed class ConformanceFile
{
    public List<ConformanceCase> Cases { get; set; } = [];
}

public sealed class ConformanceCase
{
    public string Id { get; set; } = "";
    public int Class { get; set; }
    public string Source { get; set; } = "";
    public string Reply { get; set; } = "";
    public ConformanceExpectation Expect { get; set; } = new();
    public Dictionary<string, string>? Invoke { get; set; }
}

public sealed class ConformanceExpectation
{
    public string? Tool { get; set; }
    public Dictionary<string, string>? Args { get; set; }
    public string? Positional { get; set; }
    public string? Final { get; set; }
    public string? Refused { get; set; }
    public List<ConformanceExpectation>? Actions { get; set; }
}

/// <summary>Compares a parse with a case's expectation; null when they agree, otherwise what differs.</summary>
public static class ConformanceCheck
{
    public static string? Compare(ConformanceCase conformance, ParsedReply parsed)
    {
        var expect = conformance.Expect;
        if (expect.Refused is not null)
        {
            if (parsed.Error is null || parsed.Actions.Count > 0 || parsed.FinalAnswer is not null)
                return $"expected a refusal naming '{expect.Refused}', got {Describe(parsed)}";
            return parsed.Error.Contains(expect.Refused, StringComparison.OrdinalIgnoreCase)
                ? null
                : $"the refusal does not name '{expect.Refused}': {parsed.Error}";
        }
        if (expect.Final is not null)
        {
            return parsed.Error is null && parsed.Actions.Count == 0 && parsed.FinalAnswer == expect.Final
                ? null
                : $"expected the final answer '{expect.Final}', got {Describe(parsed)}";
        }

        var expected = expect.Actions ?? [expect];
        if (parsed.Error is not null || parsed.FinalAnswer is not null || parsed.Actions.Count != expected.Count)
            return $"expected {expected.Count} action(s), got {Describe(parsed)}";
        for (var i = 0; i < expected.Count; i++)
        {
            var (want, got) = (expected[i], parsed.Actions[i]);
            if (want.Tool != got.Tool || Show(want.Args ?? []) != Show(got.Arguments) || want.Positional != got.Positional)
                return $"expected {want.Tool}({Show(want.Args ?? [])}; {want.Positional}), got {Describe(parsed)}";
        }
        return null;
    }

    public static string Show(IEnumerable<KeyValuePair<string, string>> arguments) =>
        string.Join("; ", arguments.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}={a.Value}"));

    private static string Describe(ParsedReply parsed) =>
        parsed.Error is not null ? $"error '{parsed.Error}'"
        : parsed.FinalAnswer is not null ? $"final answer '{parsed.FinalAnswer}'"
        : string.Join(" then ", parsed.Actions.Select(a => $"{a.Tool}({Show(a.Arguments)}; {a.Positional})"));
}
