using System.Text;
using VisionAgent.Imaging;
using VisionAgent.Abstractions;
using VisionAgent.Core.Configuration;
using VisionAgent.Evaluation.Recording;
using VisionAgent.Evaluation.Reports;
using VisionAgent.Evaluation.Running;
using VisionAgent.Evaluation.Scoring;
using VisionAgent.Evaluation.Tasks;
using VisionAgent.Hosting;
using VisionAgent.Testing;

namespace VisionAgent.Evaluation.Tests;

/// <summary>
/// The sample suite (samples/tasks) is what users copy, so it must pass with the default models and the offline
/// planner, and every task must fail when its expert is wrong. samples/cassettes holds it recorded with the offline
/// planner and every built-in expert; run with VISIONAGENT_REGENERATE_CASSETTES=1 to record them again.
/// </summary>
public sealed class SampleSuiteTests : IClassFixture<EvalFixture>
{
    private readonly EvalFixture _fixture;

    public SampleSuiteTests(EvalFixture fixture) => _fixture = fixture;

    private static IReadOnlyList<EvalTask> Suite() => TaskFileReader.Load([RepositoryPaths.SampleTasks]);

    /// <summary>Every built-in expert, models from the shared cache (<see cref="TestDataHome"/> sets $VISIONAGENT_MODELS).</summary>
    private static AgentHostOptions Host() => new()
    {
        Config = new VisionAgentConfig { ModelsDir = Environment.GetEnvironmentVariable("VISIONAGENT_MODELS") },
        StartMcpServers = false,
    };

    private static Func<EvalTask, TaskLlm> NoLlm => _ => throw new InvalidOperationException("replay must not ask for an LLM");

    private SuiteOptions ReplayOptions(string cassettes) => new()
    {
        Host = Host(),
        Llm = NoLlm,
        ReplayDirectory = cassettes,
        FrozenExperts = true,
        Parallelism = 2,
        WorkDirectory = _fixture.NewFolder("replay"),
    };

    [Fact]
    public async Task Sample_suite_passes_with_the_offline_planner_and_the_default_models()
    {
        var tasks = Suite();
        var work = _fixture.NewFolder("live");
        await using var plannerHost = await AgentHost.CreateAsync(Host() with { OutputDirectory = Path.Combine(work, "planner") }, CancellationToken.None);
        var planner = OfflinePlannerFactory.Create(plannerHost);
        var record = Environment.GetEnvironmentVariable("VISIONAGENT_REGENERATE_CASSETTES") == "1" ? RepositoryPaths.SampleCassettes : null;

        var report = await new SuiteRunner(new SuiteOptions
        {
            Host = Host(),
            Llm = _ => new TaskLlm(planner, planner.Identity),
            RecordDirectory = record,
            WorkDirectory = work,
        }).RunAsync(tasks, CancellationToken.None);

        Assert.All(report.Tasks, t => Assert.True(t.Passed, $"{t.Id}: {t.Reason()}"));
        Assert.Equal(["edit", "image_info", "ocr", "segment"], report.Tasks.SelectMany(t => t.Turns).SelectMany(u => u.Tools).Select(tool => tool.Split('.')[0]).Distinct().Order());
    }

    [Fact]
    public async Task Sample_cassettes_replay_every_task_with_no_llm_and_no_models()
    {
        var report = await new SuiteRunner(ReplayOptions(RepositoryPaths.SampleCassettes)).RunAsync(Suite(), CancellationToken.None);

        Assert.All(report.Tasks, t => Assert.True(t.Passed, $"{t.Id}: {t.Reason()} (record again with VISIONAGENT_REGENERATE_CASSETTES=1)"));
        Assert.Equal(Suite().Count, report.Summary.Total);
    }

    /// <summary>
    /// Each task has an answer expectation that rejects wrong answers (the recorded one with its digits and words
    /// changed, "no text", "could not answer") or image expectations that reject wrong images, and is proven to.
    /// </summary>
    [Fact]
    public async Task Every_sample_task_fails_on_a_wrong_answer_or_a_wrong_image()
    {
        var tasks = Suite();
        foreach (var task in tasks)
        {
            var cassette = await CassetteStore.LoadAsync(RepositoryPaths.SampleCassettes, task.Id, CancellationToken.None);
            var proven = 0;
            for (var i = 0; i < task.Turns.Count; i++)
            {
                var turn = task.Turns[i];
                var answer = cassette.Turns[i].Answer;
                if (turn.Expect is not AnyAnswerExpectation)
                {
                    Assert.True(AnswerMatcher.Match(turn.Expect, answer).Passed, $"{task.Id}: the recorded answer should pass: {answer}");
                    foreach (var wrong in new[] { Garble(answer!), "No text found in img1.", "I could not answer: the expert failed." })
                        Assert.False(AnswerMatcher.Match(turn.Expect, wrong).Passed, $"{task.Id} turn {i + 1}: '{wrong}' passed {turn.Expect.Describe()}");
                    proven++;
                }
                var recorded = cassette.ToolCalls.Where(c => c.Turn == i + 1).SelectMany(c => c.Images).ToList();
                foreach (var expectation in turn.Images.Where(e => e.Width is not null || e.Height is not null))
                {
                    var sizeOnly = expectation with { Coverage = null };
                    Assert.True(TurnScorer.CheckProduced(sizeOnly, Records(recorded, (w, h) => (w, h)), new ImageLoader()).Passed, $"{task.Id}: recorded sizes should pass");
                    Assert.False(TurnScorer.CheckProduced(sizeOnly, Records(recorded, (w, h) => (w + 1, h)), new ImageLoader()).Passed, $"{task.Id}: a wrong width passed");
                    Assert.False(TurnScorer.CheckProduced(sizeOnly, Records(recorded, (w, h) => (w, h / 2)), new ImageLoader()).Passed, $"{task.Id}: a wrong height passed");
                    proven++;
                }
            }
            if (task.Turns.Any(t => t.Images.Any(e => e.Coverage is not null)))
            {
                var report = await ReplayWithWrongMasksAsync(task, cassette);
                var checks = report.Tasks.Single().Turns.SelectMany(t => t.Checks).ToList();
                Assert.Equal(TaskOutcome.Failed, report.Tasks.Single().Status);
                Assert.Contains(checks, c => !c.Passed && c.Name.Contains("coverage", StringComparison.Ordinal));
                Assert.All(checks.Where(c => !c.Name.Contains("coverage", StringComparison.Ordinal)), c => Assert.True(c.Passed, $"{task.Id}: {c.Name}: {c.Detail}"));
                proven++;
            }
            Assert.True(proven > 0, $"{task.Id} has no expectation that a wrong answer or image would fail");
        }
    }

    [Fact]
    public void A_run_that_did_not_answer_fails_its_status_check_whatever_its_answer_says()
    {
        var turn = new EvalTurn { Ask = "q", Expect = new AnyAnswerExpectation() };
        foreach (var status in new[] { VisionAgent.Core.Agent.RunStatus.StepLimit, VisionAgent.Core.Agent.RunStatus.Timeout, VisionAgent.Core.Agent.RunStatus.Cancelled, VisionAgent.Core.Agent.RunStatus.Error })
        {
            var result = new VisionAgent.Core.Agent.AgentRunResult { Status = status, Answer = "I could not answer: the ocr expert reported an error", Provider = "p", Model = "m" };

            var status_check = TurnScorer.CheckRun(turn, result, new ImageLoader()).Single(c => c.Name == "status");

            Assert.False(status_check.Passed, status);
        }
    }

    /// <summary>Replays the task's cassette with every recorded mask coverage moved out of its expected range.</summary>
    private async Task<SuiteReport> ReplayWithWrongMasksAsync(EvalTask task, Cassette cassette)
    {
        var folder = _fixture.NewFolder("wrong-masks");
        foreach (var image in cassette.ToolCalls.SelectMany(c => c.Images).Where(i => i.Coverage is not null))
            image.Coverage = image.Coverage < 0.5 ? 0.97 : 0.03;
        await CassetteStore.SaveAsync(folder, cassette, CancellationToken.None);
        return await new SuiteRunner(ReplayOptions(folder)).RunAsync([task], CancellationToken.None);
    }

    private static List<ImageRecord> Records(IEnumerable<CassetteImage> images, Func<int, int, (int Width, int Height)> size) =>
        images.Select(i =>
        {
            var (width, height) = size(i.Width, i.Height);
            return new ImageRecord { Handle = i.Handle, Kind = i.Kind, Path = "unused.png", Width = width, Height = height, Format = i.Format, Parent = i.Parent };
        }).ToList();

    /// <summary>A wrong answer of the same shape: every digit moved by one, every word of three letters or more reversed.</summary>
    private static string Garble(string answer)
    {
        var text = new StringBuilder(answer.Length);
        foreach (var c in answer) text.Append(char.IsAsciiDigit(c) ? (char)('0' + ((c - '0' + 1) % 10)) : c);
        return System.Text.RegularExpressions.Regex.Replace(text.ToString(), "[A-Za-z]{3,}", m => new string(m.Value.Reverse().ToArray()));
    }
}
