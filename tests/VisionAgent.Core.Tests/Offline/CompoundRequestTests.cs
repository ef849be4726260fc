using VisionAgent.Core.Experts;
using VisionAgent.Core.Llm.Offline;
using VisionAgent.Testing;
using Xunit.Abstractions;

namespace VisionAgent.Core.Tests.Offline;

/// <summary>
/// Questions that ask for several things in one breath, over the built-in experts' real manifests, measured on
/// Data/compound-requests.tsv: which requests the planner reads, in which order, and which questions it must decline
/// because one part needs an LLM. Single requests worded with "and", commas or "then" are in the set too.
/// </summary>
[Collection(RoutingSetCollection.Name)]
public sealed class CompoundRequestTests(ITestOutputHelper output)
{
    private static string Read(OfflinePlanner planner, string question)
    {
        var split = planner.Requests(question, q => q, CancellationToken.None);
        return split.Declined is not null || split.Parts.Count == 0 ? "-" : string.Join(" > ", split.Parts.Select(p => p.Match.Route.Tool.Name));
    }

    private static bool Matches(string expected, string read)
    {
        var wanted = expected.Split(" > ");
        var got = read.Split(" > ");
        return wanted.Length == got.Length && wanted.Zip(got).All(p => p.First.Split('|').Contains(p.Second));
    }

    [Fact]
    public void The_single_requests_of_the_routing_set_are_read_whole_and_routed_as_before()
    {
        var planner = new OfflinePlanner(new ExpertRegistry(BuiltInManifests.Recording([]), new DictionaryModelLocator()), PlannerFixture.Embedder);

        var changed = HeldOutRoutingTests.HeldOut()
            .Select(c => (c.Question, Read: Read(planner, c.Question), Whole: planner.Route(c.Question, CancellationToken.None)?.Route.Tool.Name ?? "-"))
            .Where(c => c.Read != c.Whole)
            .Select(c => $"{c.Question} -> {c.Read}, whole {c.Whole}")
            .ToList();

        Assert.Empty(changed);
    }

    [Fact]
    public void Operations_no_expert_performs_are_turned_down_and_look_alikes_still_route()
    {
        var planner = new OfflinePlanner(new ExpertRegistry(BuiltInManifests.Recording([]), new DictionaryModelLocator()), PlannerFixture.Embedder);

        var wrong = HeldOutRoutingTests.Read("unsupported-operations.tsv")
            .Select(c => (c.Expected, c.Question, Routed: planner.Route(c.Question, CancellationToken.None)?.Route.Tool.Name ?? "-"))
            .Where(c => !c.Expected.Split('|').Contains(c.Routed))
            .Select(c => $"{c.Question} -> {c.Routed}, expected {c.Expected}")
            .ToList();

        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Theory]
    [InlineData("spaces")]
    [InlineData("separators")]
    public void A_huge_question_is_read_in_linear_time(string kind)
    {
        // 200,000 spaces took the separator patterns minutes before their whitespace runs were matched atomically.
        var question = kind == "spaces"
            ? "rotate" + new string(' ', 200_000) + "it 90 degrees"
            : string.Concat(Enumerable.Repeat("a ,  . then ; and ", 5_000));
        var planner = new OfflinePlanner(new ExpertRegistry(BuiltInManifests.Recording([]), new DictionaryModelLocator()), PlannerFixture.Embedder);
        planner.Route("warm up", CancellationToken.None);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var split = planner.Requests(question, q => q, CancellationToken.None);

        clock.Stop();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"{clock.ElapsedMilliseconds} ms");
        Assert.True(split.Declined is not null || split.Parts.Count <= 1, "a huge question is not several trusted requests");
    }

    [Theory]
    [InlineData("compound-requests.tsv", 0.9)]
    [InlineData("compound-requests-heldout.tsv", 0.9)]
    public void Each_request_of_a_question_is_read_in_order_and_a_part_that_needs_an_LLM_declines_the_whole(string file, double least)
    {
        var planner = new OfflinePlanner(new ExpertRegistry(BuiltInManifests.Recording([]), new DictionaryModelLocator()), PlannerFixture.Embedder);
        var cases = HeldOutRoutingTests.Read(file);

        var right = 0;
        var wronglyAnswered = new List<string>();
        foreach (var (expected, question) in cases)
        {
            var read = Read(planner, question);
            var ok = Matches(expected, read);
            if (ok) right++;
            if (expected == "-" && read != "-") wronglyAnswered.Add(question);
            output.WriteLine($"{(ok ? "ok  " : "MISS")} {question,-70} -> {read}   (expected {expected})");
        }
        output.WriteLine($"read right {right}/{cases.Count} = {100.0 * right / cases.Count:0.0}%");

        Assert.Empty(wronglyAnswered);
        Assert.True(right >= cases.Count * least, $"only {right} of {cases.Count} read right");
    }
}
