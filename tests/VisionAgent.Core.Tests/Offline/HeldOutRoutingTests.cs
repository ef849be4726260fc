using VisionAgent.Core.Experts;
using VisionAgent.Core.Llm.Offline;
using VisionAgent.Testing;
using Xunit.Abstractions;

namespace VisionAgent.Core.Tests.Offline;

/// <summary>
/// Routing over the built-in experts' real manifests, measured on Data/routing-heldout.tsv: phrasings written without
/// looking at any manifest's examples. "-" means the question needs an LLM and the planner must decline it.
/// </summary>
[Collection(RoutingSetCollection.Name)]
public sealed class HeldOutRoutingTests(ITestOutputHelper output)
{
    public static IReadOnlyList<(string Expected, string Question)> HeldOut() => Read("routing-heldout.tsv");

    /// <summary>The (expected, question) rows of a tab-separated set under Offline/Data; lines starting with # are comments.</summary>
    public static IReadOnlyList<(string Expected, string Question)> Read(string file) =>
        File.ReadAllLines(Path.Combine(RepositoryPaths.Root, "tests", "VisionAgent.Core.Tests", "Offline", "Data", file))
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split('\t'))
            .Select(parts => (parts[0], parts[1]))
            .ToList();

    [Fact]
    public void At_least_95_percent_of_the_held_out_phrasings_route_right_and_every_LLM_question_is_declined()
    {
        var planner = new OfflinePlanner(new ExpertRegistry(BuiltInManifests.Recording([]), new DictionaryModelLocator()), PlannerFixture.Embedder);
        var cases = HeldOut();

        var right = 0;
        var wronglyAnswered = new List<string>();
        foreach (var (expected, question) in cases)
        {
            var chosen = planner.Route(question, CancellationToken.None)?.Route.Tool.Name ?? "-";
            var ok = expected.Split('|').Contains(chosen);
            if (ok) right++;
            if (expected == "-" && chosen != "-") wronglyAnswered.Add(question);
            var best = planner.Index.Best(question, CancellationToken.None);
            output.WriteLine($"{(ok ? "ok  " : "MISS")} {question,-55} -> {chosen,-16} expected {expected} (best {best?.Route.Tool.Name} {best?.Score:0.00} \"{best?.Evidence}\")");
        }
        output.WriteLine($"routing accuracy {right}/{cases.Count} = {100.0 * right / cases.Count:0.0}%");

        Assert.True(cases.Count >= 100, $"the held-out set has only {cases.Count} phrasings");
        Assert.Empty(wronglyAnswered);
        Assert.True(right >= cases.Count * 0.95, $"only {right} of {cases.Count} routed right");
    }
}
