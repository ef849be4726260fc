using VisionAgent.Imaging;
using VisionAgent.Abstractions;
using VisionAgent.Evaluation.Recording;
using VisionAgent.Evaluation.Reports;
using VisionAgent.Evaluation.Running;
using VisionAgent.Evaluation.Tasks;
using VisionAgent.Testing;

namespace VisionAgent.Evaluation.Tests;

public sealed class ShardAndMergeTests : IClassFixture<EvalFixture>
{
    private readonly EvalFixture _fixture;

    public ShardAndMergeTests(EvalFixture fixture) => _fixture = fixture;

    /// <summary>Fourteen image_info tasks over the sample images, a third of them expecting a wrong size.</summary>
    private static IReadOnlyList<EvalTask> Suite(string folder)
    {
        var images = new[] { ("chelsea.png", "451x300"), ("coins.png", "384x303"), ("page.png", "384x191"), ("rocket.jpg", "640x427") };
        var yaml = new System.Text.StringBuilder("tasks:\n");
        for (var i = 0; i < 14; i++)
        {
            var (image, size) = images[i % images.Length];
            var expected = i % 3 == 0 ? "1x1" : size;
            yaml.Append($"  - id: size-{i:00}\n    tags: [{(i % 2 == 0 ? "even" : "odd")}]\n    images: ['{RepositoryPaths.SampleImage(image)}']\n")
                .Append($"    ask: How big is img1 in pixels?\n    expect: {{contains_all: ['{expected}']}}\n");
        }
        var file = Path.Combine(folder, "sizes.yaml");
        File.WriteAllText(file, yaml.ToString());
        return TaskFileReader.Load([file]);
    }

    [Fact]
    public void A_task_always_lands_in_the_same_shard()
    {
        // FNV-1a over UTF-8: the same on every machine and runtime, so these values are fixed.
        Assert.Equal((2, 1, 1), (SuiteShard.ShardOf("cat-size", 2), SuiteShard.ShardOf("cat-size", 3), SuiteShard.ShardOf("cat-size", 7)));
        Assert.Equal((2, 2, 5), (SuiteShard.ShardOf("page-reading", 2), SuiteShard.ShardOf("page-reading", 3), SuiteShard.ShardOf("page-reading", 7)));
        Assert.Equal(new SuiteShard(2, 3), SuiteShard.Parse("2/3"));
        Assert.Equal("2/3", SuiteShard.Parse("2/3").ToString());
    }

    [Theory]
    [InlineData("0/3")]
    [InlineData("4/3")]
    [InlineData("1/0")]
    [InlineData("1")]
    [InlineData("a/b")]
    [InlineData("-1/3")]
    public void A_bad_shard_is_a_usage_error(string text)
    {
        var error = Assert.Throws<VisionAgentException>(() => SuiteShard.Parse(text));

        Assert.Equal(ExitCodes.Usage, error.ExitCode);
        Assert.Contains("--shard", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Shards_run_every_task_once_and_merge_to_the_pass_counts_of_a_full_run(int count)
    {
        var tasks = Suite(_fixture.NewFolder("suite"));
        var full = await new SuiteRunner(EvalFixture.Options(_fixture.NewFolder("full"))).RunAsync(tasks, CancellationToken.None);
        var shards = new List<(string, SuiteReport)>();
        for (var k = 1; k <= count; k++)
        {
            var folder = _fixture.NewFolder($"shard-{k}");
            var report = await new SuiteRunner(EvalFixture.Options(Path.Combine(folder, "work")) with { Shard = new SuiteShard(k, count), MinPass = 0.5 }).RunAsync(tasks, CancellationToken.None);
            await ReportWriter.WriteAsync(report, folder, new ImageLoader(), CancellationToken.None);
            shards.Add((folder, ReportWriter.Read(folder)));
        }

        var merged = ReportMerger.Merge(shards);

        Assert.Equal(tasks.Select(t => t.Id).Order(), shards.SelectMany(s => s.Item2.Tasks).Select(t => t.Id).Order());
        Assert.Equal(full.Tasks.Select(t => (t.Id, t.Status)), merged.Tasks.Select(t => (t.Id, t.Status)));
        Assert.Equal((14, 9, 5), (merged.Summary.Total, merged.Summary.Passed, merged.Summary.Failed));
        Assert.Equal((full.Summary.Total, full.Summary.Passed, full.Summary.Failed, full.Summary.Errors), (merged.Summary.Total, merged.Summary.Passed, merged.Summary.Failed, merged.Summary.Errors));
        Assert.Equal(full.Summary.ByTag, merged.Summary.ByTag);
        Assert.Equal(full.Summary.ToolCalls, merged.Summary.ToolCalls);
        Assert.Equal(Enumerable.Range(1, count).Select(k => $"{k}/{count}"), merged.MergedFrom);
        Assert.Equal(0.5, merged.MinPass);
        if (count > 1) Assert.All(shards, s => Assert.True(s.Item2.Tasks.Count < tasks.Count));
    }

    [Fact]
    public async Task Each_shard_records_and_replays_its_own_cassettes()
    {
        var tasks = Suite(_fixture.NewFolder("suite"));
        var shards = new List<(string, SuiteReport)>();
        for (var k = 1; k <= 2; k++)
        {
            var cassettes = _fixture.NewFolder($"cassettes-{k}");
            var shard = new SuiteShard(k, 2);
            await new SuiteRunner(EvalFixture.Options(_fixture.NewFolder("rec")) with { Shard = shard, RecordDirectory = cassettes, MinPass = 0 }).RunAsync(tasks, CancellationToken.None);
            var replayed = await new SuiteRunner(EvalFixture.Options(_fixture.NewFolder("rep"), _ => throw new InvalidOperationException("no LLM in a replay")) with
            {
                Shard = shard, ReplayDirectory = cassettes, FrozenExperts = true, MinPass = 0,
            }).RunAsync(tasks, CancellationToken.None);

            Assert.Equal(shard.Select(tasks).Select(t => t.Id + CassetteStore.Extension).Order(), Directory.GetFiles(cassettes).Select(Path.GetFileName).Order());
            Assert.DoesNotContain(replayed.Tasks, t => t.Status is TaskOutcome.Diverged or TaskOutcome.Error);
            shards.Add(($"shard {k}", replayed));
        }

        var merged = ReportMerger.Merge(shards);

        Assert.Equal((14, 9), (merged.Summary.Total, merged.Summary.Passed));
        Assert.Equal("replay-frozen", merged.Mode);
    }

    [Fact]
    public void Merge_refuses_a_missing_shard_a_task_twice_and_mixed_modes()
    {
        TaskReport Task(string id) => new() { Id = id, File = "s.yaml", Status = TaskOutcome.Passed };
        SuiteReport Report(string? shard, string mode, params string[] ids) =>
            new() { Mode = mode, Provider = "p", Model = "m", Shard = shard, MinPass = 1, Tasks = ids.Select(Task).ToList(), Summary = SuiteSummary.From(ids.Select(Task).ToList()) };

        var missing = Assert.Throws<BadInputException>(() => ReportMerger.Merge([("a", Report("1/3", "live", "x")), ("c", Report("3/3", "live", "y"))]));
        var twice = Assert.Throws<BadInputException>(() => ReportMerger.Merge([("a", Report("1/2", "live", "x")), ("b", Report("2/2", "live", "x"))]));
        var modes = Assert.Throws<BadInputException>(() => ReportMerger.Merge([("a", Report("1/2", "live", "x")), ("b", Report("2/2", "replay", "y"))]));
        var splits = Assert.Throws<BadInputException>(() => ReportMerger.Merge([("a", Report("1/2", "live", "x")), ("b", Report("2/3", "live", "y"))]));

        Assert.Contains("2/3 missing", missing.Message, StringComparison.Ordinal);
        Assert.Contains("task 'x' (s.yaml) is in both a and b", twice.Message, StringComparison.Ordinal);
        Assert.Contains("different modes", modes.Message, StringComparison.Ordinal);
        Assert.Contains("different splits", splits.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_shard_meets_its_threshold_but_an_empty_suite_does_not()
    {
        var empty = new SuiteReport { Mode = "live", Provider = "p", Model = "m", Tasks = [], Summary = SuiteSummary.From([]), MinPass = 1 };

        Assert.True((empty with { Shard = "3/4" }).MetThreshold);
        Assert.False(empty.MetThreshold);
    }
}
