using VisionAgent.Imaging;
using VisionAgent.Core.Agent;
using VisionAgent.Evaluation.Recording;
using VisionAgent.Evaluation.Reports;
using VisionAgent.Evaluation.Running;
using VisionAgent.Evaluation.Tasks;
using VisionAgent.Testing;
using VisionAgent.Testing.Llm;

namespace VisionAgent.Evaluation.Tests;

public sealed class SuiteRunnerTests : IClassFixture<EvalFixture>
{
    private readonly EvalFixture _fixture;

    public SuiteRunnerTests(EvalFixture fixture) => _fixture = fixture;

    [Fact]
    public async Task Sample_suite_passes_with_the_scripted_planner()
    {
        var tasks = EvalFixture.SampleTasks();

        var report = await new SuiteRunner(EvalFixture.Options(_fixture.NewFolder("work"))).RunAsync(tasks, CancellationToken.None);

        Assert.All(report.Tasks, t => Assert.True(t.Passed, $"{t.Id}: {t.Reason()}"));
        Assert.Equal(1.0, report.Summary.PassRate);
        Assert.True(report.MetThreshold);
        Assert.Equal(7, report.Summary.ToolCalls);
        Assert.Equal("Greyscale.", report.Tasks.Single(t => t.Id == "coins-colour-mode").Turns[0].Answer);
        Assert.Contains(report.Summary.ByTag, t => t is { Tag: "size", Total: 2, Passed: 2 });
    }

    [Fact]
    public async Task Parallel_runs_give_the_same_report_as_sequential_ones()
    {
        var tasks = EvalFixture.SampleTasks();

        var sequential = await new SuiteRunner(EvalFixture.Options(_fixture.NewFolder("seq"))).RunAsync(tasks, CancellationToken.None);
        var parallel = await new SuiteRunner(EvalFixture.Options(_fixture.NewFolder("par")) with { Parallelism = 4 }).RunAsync(tasks, CancellationToken.None);

        Assert.Equal(EvalFixture.Stable(sequential), EvalFixture.Stable(parallel));
    }

    [Fact]
    public async Task Failing_checks_are_reported_per_turn()
    {
        var task = EvalFixture.SampleTasks()[0] with
        {
            Turns = [EvalFixture.SampleTasks()[0].Turns[0] with { Expect = new ExactExpectation("a cat"), MustCall = ["ocr"], MustNotCall = ["image_info"], MaxSteps = 1 }],
        };

        var report = await new SuiteRunner(EvalFixture.Options(_fixture.NewFolder("fail")) with { MinPass = 0.5 }).RunAsync([task], CancellationToken.None);

        var turn = report.Tasks[0].Turns[0];
        Assert.Equal(TaskOutcome.Failed, report.Tasks[0].Status);
        Assert.False(report.MetThreshold);
        Assert.Equal(
            [("exact", false), ("status", true), ("must_call ocr", false), ("must_not_call image_info", false), ("max_steps", false)],
            turn.Checks.Select(c => (c.Name, c.Passed)));
    }

    [Fact]
    public async Task Record_then_replay_reproduces_every_answer_without_the_llm()
    {
        var tasks = EvalFixture.SampleTasks();
        var cassettes = _fixture.NewFolder("cassettes");
        var recorded = await new SuiteRunner(EvalFixture.Options(_fixture.NewFolder("rec")) with { RecordDirectory = cassettes }).RunAsync(tasks, CancellationToken.None);
        var noLlm = (Func<EvalTask, TaskLlm>)(_ => throw new InvalidOperationException("replay must not ask for an LLM"));

        var replayed = await new SuiteRunner(EvalFixture.Options(_fixture.NewFolder("rep"), noLlm) with { ReplayDirectory = cassettes }).RunAsync(tasks, CancellationToken.None);
        var frozen = await new SuiteRunner(EvalFixture.Options(_fixture.NewFolder("frz"), noLlm) with { ReplayDirectory = cassettes, FrozenExperts = true, Parallelism = 3 }).RunAsync(tasks, CancellationToken.None);

        Assert.Equal(tasks.Count, Directory.GetFiles(cassettes, "*" + CassetteStore.Extension).Length);
        foreach (var run in new[] { replayed, frozen })
        {
            Assert.Equal(recorded.Tasks.Select(t => t.Turns.Select(u => u.Answer)), run.Tasks.Select(t => t.Turns.Select(u => u.Answer)));
            Assert.All(run.Tasks, t => Assert.True(t.Passed, $"{t.Id}: {t.Reason()}"));
        }
        Assert.Equal("replay-frozen", frozen.Mode);
        var cassette = await CassetteStore.LoadAsync(cassettes, "cat-then-coins", CancellationToken.None);
        Assert.Equal(4, cassette.LlmCalls.Count);
        Assert.Equal(2, cassette.ToolCalls.Count);
        Assert.Equal("image_info", cassette.ToolCalls[1].Tool);
        Assert.StartsWith("img2: PNG 384x303", cassette.ToolCalls[1].Observation, StringComparison.Ordinal);
        Assert.Equal([1, 2, 1, 2], cassette.LlmCalls.Select(c => c.Step));
    }

    [Fact]
    public async Task A_changed_request_is_reported_as_a_divergence_with_its_place()
    {
        var tasks = EvalFixture.SampleTasks().Where(t => t.Id == "cat-then-coins").ToList();
        var cassettes = _fixture.NewFolder("cassettes");
        await new SuiteRunner(EvalFixture.Options(_fixture.NewFolder("rec")) with { RecordDirectory = cassettes }).RunAsync(tasks, CancellationToken.None);
        var path = CassetteStore.PathFor(cassettes, "cat-then-coins");
        var cassette = CassetteStore.Deserialize(File.ReadAllText(path), path);
        var request = cassette.LlmCalls[3].Request;
        request[^1].Content = request[^1].Content.Replace("384x303", "999x999", StringComparison.Ordinal);
        File.WriteAllText(path, CassetteStore.Serialize(cassette));

        var report = await new SuiteRunner(EvalFixture.Options(_fixture.NewFolder("rep")) with { ReplayDirectory = cassettes, FrozenExperts = true }).RunAsync(tasks, CancellationToken.None);

        var task = report.Tasks.Single();
        Assert.Equal(TaskOutcome.Diverged, task.Status);
        Assert.Equal(2, task.Turns.Count == 1 ? task.Divergence!.Turn : -1);
        Assert.Equal(2, task.Divergence!.Step);
        Assert.Equal(request.Count - 1, task.Divergence.Message);
        Assert.Contains("999x999", task.Divergence.Expected, StringComparison.Ordinal);
        Assert.Contains("384x303", task.Divergence.Actual, StringComparison.Ordinal);
        Assert.Contains("turn 2, step 2", task.Reason(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_changed_tool_call_diverges_under_frozen_experts()
    {
        var tasks = EvalFixture.SampleTasks().Where(t => t.Id == "cat-size").ToList();
        var cassettes = _fixture.NewFolder("cassettes");
        await new SuiteRunner(EvalFixture.Options(_fixture.NewFolder("rec")) with { RecordDirectory = cassettes }).RunAsync(tasks, CancellationToken.None);
        var path = CassetteStore.PathFor(cassettes, "cat-size");
        var cassette = CassetteStore.Deserialize(File.ReadAllText(path), path);
        cassette.ToolCalls[0].Arguments["image"] = "img7";
        File.WriteAllText(path, CassetteStore.Serialize(cassette));

        var report = await new SuiteRunner(EvalFixture.Options(_fixture.NewFolder("rep")) with { ReplayDirectory = cassettes, FrozenExperts = true }).RunAsync(tasks, CancellationToken.None);

        var divergence = report.Tasks.Single().Divergence!;
        Assert.Equal("tool_call", divergence.Kind);
        Assert.Contains("image=img7", divergence.Expected, StringComparison.Ordinal);
        Assert.Contains("image=img1", divergence.Actual, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_live_run_without_an_llm_is_an_llm_error()
    {
        var options = EvalFixture.Options(_fixture.NewFolder("none")) with { Llm = null };

        await Assert.ThrowsAsync<VisionAgent.Core.Llm.LlmException>(() => new SuiteRunner(options).RunAsync(EvalFixture.SampleTasks(), CancellationToken.None));
    }

    [Fact]
    public async Task A_missing_cassette_is_a_task_error()
    {
        var tasks = EvalFixture.SampleTasks().Take(1).ToList();

        var report = await new SuiteRunner(EvalFixture.Options(_fixture.NewFolder("rep")) with { ReplayDirectory = _fixture.NewFolder("empty") }).RunAsync(tasks, CancellationToken.None);

        Assert.Equal(TaskOutcome.Error, report.Tasks[0].Status);
        Assert.Contains("no cassette for task 'cat-size'", report.Tasks[0].Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Frozen_experts_restore_produced_images_with_their_handles_kinds_and_sizes()
    {
        var work = _fixture.NewFolder("store");
        var store = new VisionAgent.Imaging.ImageHandleStore(Path.Combine(work, "out"), new VisionAgent.Imaging.ImageLoader());
        store.AddInput(RepositoryPaths.SampleImage("chelsea.png"));
        var cursor = new CassetteCursor();
        cursor.StartTurn(1);
        var recorded = new ToolExchange
        {
            Turn = 1, Call = 1, Tool = "segment", Arguments = new() { ["image"] = "img1" }, ResolvedTool = "segment",
            MappedArguments = new() { ["image"] = "img1" },
            Observation = "mask of img1\nNew images: img2 (mask of img1)",
            Images = [new CassetteImage { Handle = "img2", Kind = "mask", Parent = "img1", Operation = "segment", Width = 451, Height = 300, Format = "PNG", Sha256 = "00" }],
        };
        var interceptor = new FrozenToolInterceptor([recorded], cursor, store);

        var outcome = await interceptor.InvokeAsync(
            new ToolCallRequest("segment", new Dictionary<string, string> { ["image"] = "img1" }, null),
            _ => throw new InvalidOperationException("frozen experts must not run"),
            CancellationToken.None);

        Assert.Equal(recorded.Observation, outcome.Observation);
        var image = Assert.Single(outcome.Result!.Images);
        Assert.Equal(("img2", "mask", "img1", 451, 300), (image.Handle, image.Kind, image.Parent, image.Width, image.Height));
        var result = new AgentRunResult
        {
            Status = RunStatus.Answered, Provider = "p", Model = "m", LlmCalls = 2,
            Steps = [new AgentStep { Action = "segment", Observation = outcome.Observation, ImagesProduced = ["img2"] }],
            Images = store.Images,
        };
        var turn = new EvalTurn { Ask = "q", Expect = new AnyAnswerExpectation(), Images = [new ImageExpectation("mask"), new ImageExpectation("overlay")], MustCall = ["segment"] };
        var checks = VisionAgent.Evaluation.Scoring.TurnScorer.CheckRun(turn, result, new ImageLoader());
        Assert.Equal([("status", true), ("must_call segment", true), ("produces mask", true), ("produces overlay", false)], checks.Select(c => (c.Name, c.Passed)));
    }

    [Theory]
    [InlineData("declined")]
    [InlineData("unanswered")]
    public void A_run_that_ended_without_an_answer_fails_the_status_check_with_what_would_answer_it(string statusName)
    {
        var status = statusName == "declined" ? RunStatus.Declined : RunStatus.Unanswered;
        var result = new AgentRunResult { Status = status, Answer = "I can't answer that: configure an LLM", Provider = "offline-planner", Model = "m" };
        var turn = new EvalTurn { Ask = "q", Expect = new AnyAnswerExpectation() };

        var check = Assert.Single(VisionAgent.Evaluation.Scoring.TurnScorer.CheckRun(turn, result, new ImageLoader()));

        Assert.False(check.Passed);
        Assert.Equal($"{status}: I can't answer that: configure an LLM", check.Detail);
    }

    [Fact]
    public async Task Recording_stores_image_checksums()
    {
        var work = _fixture.NewFolder("rec-images");
        var produced = Path.Combine(work, "out", "001-img1-mask.png");
        Directory.CreateDirectory(Path.GetDirectoryName(produced)!);
        File.Copy(RepositoryPaths.SampleImage("coins.png"), produced);
        var store = new VisionAgent.Imaging.ImageHandleStore(Path.Combine(work, "out"), new VisionAgent.Imaging.ImageLoader());
        store.AddInput(RepositoryPaths.SampleImage("chelsea.png"));
        var record = store.AddProduced(produced, "img1", "segment", "mask");
        var exchanges = new List<ToolExchange>();
        var cursor = new CassetteCursor();
        cursor.StartTurn(1);
        var interceptor = new RecordingToolInterceptor(exchanges, cursor, new ImageLoader());

        await interceptor.InvokeAsync(
            new ToolCallRequest("segment", new Dictionary<string, string> { ["image"] = "img1" }, null),
            _ => Task.FromResult(new ToolOutcome("segment", "ok", new VisionAgent.Abstractions.ExpertResult { Observation = "ok", Images = [record] }, false, 5, new Dictionary<string, string> { ["image"] = "img1" })),
            CancellationToken.None);

        var image = Assert.Single(Assert.Single(exchanges).Images);
        Assert.Equal(MessageRendering.Sha256(File.ReadAllBytes(RepositoryPaths.SampleImage("coins.png"))), image.Sha256);
        Assert.Equal(64, image.Sha256.Length);
    }
}
