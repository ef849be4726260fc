using VisionAgent.Core.Agent;
using VisionAgent.Testing.Llm;

namespace VisionAgent.Core.Tests;

/// <summary>A model stuck repeating one action is stopped with a message, keeping its steps.</summary>
public sealed class RepeatedActionTests
{
    [Fact]
    public async Task Same_action_a_fourth_time_stops_the_run()
    {
        using var harness = new AgentHarness();
        var chat = new ScriptedChatService(responder: _ => "Thought: again\nAction: image_info\nAction Input: {\"image\": \"img1\"}");

        var result = await harness.Session(chat).AskAsync("size?", null, CancellationToken.None);

        Assert.Equal(RunStatus.StepLimit, result.Status);
        Assert.Equal(5, result.ErrorCode);
        Assert.Contains("same input 4 times", result.Error, StringComparison.Ordinal);
        Assert.Equal(3, result.Steps.Count);
        Assert.Equal(4, chat.Calls.Count);
    }

    [Fact]
    public async Task Same_tool_with_other_arguments_is_not_a_repeat()
    {
        using var harness = new AgentHarness();
        var chat = new ScriptedChatService(
        [
            "Action: edit.background\nAction Input: {\"image\": \"img1\", \"prompt\": \"red\"}",
            "Action: edit.background\nAction Input: {\"image\": \"img1\", \"prompt\": \"blue\"}",
            "Action: edit.background\nAction Input: {\"image\": \"img1\", \"prompt\": \"green\"}",
            "Action: edit.background\nAction Input: {\"image\": \"img1\", \"prompt\": \"red\"}",
            "Final Answer: done",
        ]);

        var result = await harness.Session(chat).AskAsync("try colours", null, CancellationToken.None);

        Assert.Equal(RunStatus.Answered, result.Status);
        Assert.Equal(4, result.Steps.Count);
    }
}
