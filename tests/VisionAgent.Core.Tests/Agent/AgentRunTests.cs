using VisionAgent.Abstractions;
using VisionAgent.Core.Agent;
using VisionAgent.Core.Prompts;

namespace VisionAgent.Core.Tests.Agent;

public sealed class AgentRunTests
{
    [Fact]
    public async Task Finish_carries_steps_counts_and_the_identity_with_the_status_exit_code()
    {
        var (host, _) = TestHosts.Create();
        await using var _host = host;
        var run = new AgentRun(4, host.Images, new LlmIdentity("prov", "mod"));
        var events = new RecordingObserver();

        run.CountReply(new TokenUsage(7, 3));
        run.CountReply(new TokenUsage(1, 1));
        run.AddLlmTime(TimeSpan.FromMilliseconds(40));
        run.Record(new AgentStep { Action = "a", Observation = "o", DurationMs = 12 }, events);
        var result = run.Finish(RunStatus.Declined, "why not", null);

        Assert.Equal(RunStatus.Declined, result.Status);
        Assert.Equal(ExitCodes.NotAnswered, result.ErrorCode);
        Assert.Equal(new TokenUsage(8, 4), result.Tokens);
        Assert.Equal(2, result.LlmCalls);
        Assert.Equal(40, result.LlmMs);
        Assert.Equal(12, result.ExpertMs);
        Assert.Equal(("prov", "mod"), (result.Provider, result.Model));
        Assert.Equal("o", Assert.IsType<ObservationEvent>(Assert.Single(events.Events)).Step.Observation);
    }

    [Fact]
    public async Task The_same_call_a_fourth_time_is_too_often_whatever_the_case_and_order_of_its_arguments()
    {
        var (host, _) = TestHosts.Create();
        await using var _host = host;
        var run = new AgentRun(10, host.Images, new LlmIdentity("p", "m"));

        var repeats = new[]
        {
            run.IsRepeatedTooOften("ocr", new Dictionary<string, string> { ["image"] = "img1", ["lang"] = "en" }, null),
            run.IsRepeatedTooOften("OCR ", new Dictionary<string, string> { ["lang"] = "en", ["Image"] = " img1" }, null),
            run.IsRepeatedTooOften("ocr", new Dictionary<string, string> { ["image"] = "img1", ["lang"] = "en" }, null),
            run.IsRepeatedTooOften("ocr", new Dictionary<string, string> { ["image"] = "img1", ["lang"] = "de" }, null),
            run.IsRepeatedTooOften("ocr", new Dictionary<string, string> { ["image"] = "img1", ["lang"] = "en" }, null),
        };

        Assert.Equal([false, false, false, false, true], repeats);
        Assert.Equal("stopped: the model asked for ocr with the same input 4 times", run.RepeatedTooOften("ocr").Error);
    }

    [Fact]
    public async Task Skipped_actions_are_recorded_as_one_failed_step_and_none_records_nothing()
    {
        var (host, _) = TestHosts.Create();
        await using var _host = host;
        var run = new AgentRun(2, host.Images, new LlmIdentity("p", "m"));
        var events = new RecordingObserver();

        Assert.Null(run.RecordSkipped(PromptLibrary.Default.ReAct, 0, events));
        var note = run.RecordSkipped(PromptLibrary.Default.ReAct, 3, events);

        Assert.Equal("3 more action(s) in your reply were not run: the run's budget of 2 steps is spent (every action takes a step).", note);
        var step = Assert.Single(run.Steps);
        Assert.True(step.Failed);
        Assert.Equal(note, step.Observation);
        Assert.Equal("stopped after 2 steps without a final answer", run.OutOfSteps().Error);
    }
}
