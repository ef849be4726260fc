using VisionAgent.Core.Agent;
using VisionAgent.Testing.Llm;

namespace VisionAgent.Core.Tests.Agent;

/// <summary>Native tool-calling arguments that are not clean JSON objects: repaired, decoded or refused.</summary>
public sealed class ToolCallArgumentTests
{
    [Theory]
    [InlineData("{\"image\": \"img1\"}", "image=img1", "")]
    [InlineData("{'image': 'img1', 'target': 'cat'}", "image=img1;target=cat", "single quotes")]
    [InlineData("{\"image\": \"img1\", \"target\": \"cat\",}", "image=img1;target=cat", "trailing ','")]
    [InlineData("{\"image\": \"img1\"", "image=img1", "missing '}'")]
    [InlineData("\"{\\\"image\\\": \\\"img1\\\", \\\"target\\\": \\\"dog\\\"}\"", "image=img1;target=dog", "JSON string holding JSON")]
    [InlineData("{\"Image\": \"img1\", \"TARGET\": \"cat\"}", "Image=img1;TARGET=cat", "")]
    [InlineData("{\"image\": \"img1\", \"box\": \\n[1, 2, 3, 4]\\n}", "image=img1;box=1,2,3,4", "stray")]
    [InlineData("", "", "")]
    public void Repairs_what_has_one_reading(string raw, string expected, string repair)
    {
        var read = ToolCallArgumentReader.Read(raw);

        Assert.Null(read.Problem);
        Assert.Equal(expected, string.Join(";", read.Arguments.Select(a => $"{a.Key}={a.Value}")));
        if (repair.Length == 0) Assert.Empty(read.Repairs);
        else Assert.Contains(read.Repairs, r => r.Contains(repair, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("[\"img1\"]", "a list")]
    [InlineData("\"img1\"", "a string")]
    [InlineData("{\"image\": \"img1\", \"target\": \"a cat sitting on", "cut off")]
    [InlineData("{\"image\": \"img1\", \"Image\": \"img2\"}", "twice")]
    [InlineData("{\"image\": \"img1\"} {\"image\": \"img2\"}", "two JSON objects")]
    [InlineData("{image}", "has no value")]
    public void Refuses_what_has_two_readings_or_none(string raw, string named)
    {
        var read = ToolCallArgumentReader.Read(raw);

        Assert.NotNull(read.Problem);
        Assert.Contains(named, read.Problem, StringComparison.Ordinal);
        Assert.Empty(read.Arguments);
    }

    [Theory]
    [InlineData("\"{\\\"image\\\": \\\"img1\\\", \\\"target\\\": \\\"cat\\\"}\"")]
    [InlineData("{'image': 'img1', 'target': 'cat'}")]
    [InlineData("{\"Image\": \"img1\", \"Target\": \"cat\"}")]
    public async Task Native_tools_mode_runs_the_tool_with_repaired_arguments(string arguments)
    {
        using var server = new ScriptedChatServer([ScriptedResponse.ToolCall("edit-remove", arguments), ScriptedResponse.Reply("Removed.")]);
        using var harness = new AgentHarness(agent: a => a.Mode = "tools", endpoint: server.Endpoint);

        var result = await harness.ConnectorSession().AskAsync("remove the cat", null, CancellationToken.None);

        var step = Assert.Single(result.Steps);
        Assert.False(step.Failed, step.Observation);
        Assert.Equal(["edit.remove(img1)"], harness.ExpertCalls);
        Assert.Contains("removed cat", step.Observation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Native_tools_mode_refuses_unreadable_arguments_with_an_observation()
    {
        using var server = new ScriptedChatServer([ScriptedResponse.ToolCall("edit-remove", "{\"image\": \"img1\", \"target\": \"the ca"), ScriptedResponse.Reply("Sorry.")]);
        using var harness = new AgentHarness(agent: a => a.Mode = "tools", endpoint: server.Endpoint);

        var result = await harness.ConnectorSession().AskAsync("remove the cat", null, CancellationToken.None);

        var step = Assert.Single(result.Steps);
        Assert.True(step.Failed);
        Assert.Contains("was not run", step.Observation, StringComparison.Ordinal);
        Assert.Contains("'target'", step.Observation, StringComparison.Ordinal);
        Assert.Empty(harness.ExpertCalls);
        Assert.Contains(server.Messages(1), m => m.Role == "tool" && m.Content.Contains("was not run", StringComparison.Ordinal));
    }
}
