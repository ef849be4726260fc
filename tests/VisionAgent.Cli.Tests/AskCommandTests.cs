using System.Text.Json;
using VisionAgent.Testing;
using VisionAgent.Testing.Llm;

namespace VisionAgent.Cli.Tests;

public sealed class AskCommandTests
{
    [Fact]
    public async Task Ask_json_through_the_real_connector_calls_image_info_and_answers()
    {
        using var server = new ScriptedChatServer([
            ScriptedResponse.Reply("Thought: I need the size.\nAction: image_info\nAction Input: {\"image\": \"img1\"}"),
            ScriptedResponse.Reply("Thought: I know it now.\nFinal Answer: The image is 451x300 pixels."),
        ]);

        var run = await CliRunner.RunAsync("ask", "--image", RepositoryPaths.SampleImage("chelsea.png"), "--json",
            "--llm-endpoint", server.Endpoint, "--llm-model", "scripted", "How big is this image?");

        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Output);
        var root = doc.RootElement;
        Assert.Equal("answered", root.GetProperty("status").GetString());
        Assert.Equal("The image is 451x300 pixels.", root.GetProperty("answer").GetString());
        var step = Assert.Single(root.GetProperty("steps").EnumerateArray());
        Assert.Equal("image_info", step.GetProperty("action").GetString());
        Assert.Contains("451x300", step.GetProperty("observation").GetString());
        Assert.Equal("img1", root.GetProperty("images")[0].GetProperty("handle").GetString());
        Assert.Equal("scripted", root.GetProperty("llm").GetProperty("model").GetString());
        // The observation was fed back to the model, and generation stops at "Observation:".
        Assert.Contains(server.Messages(1), m => m.Role == "user" && m.Content.StartsWith("Observation: img1: PNG 451x300", StringComparison.Ordinal));
        Assert.Contains("\"stop\"", server.Requests.First());
    }

    [Fact]
    public async Task Sloppy_formats_still_complete()
    {
        using var server = new ScriptedChatServer([
            ScriptedResponse.Reply("**Thought**: let me look\n**Action**: `image_info`\n**Action Input**:\n```json\n{\"image\": \"img1\"}\n```\nObservation: (I imagine it is big)"),
            ScriptedResponse.Reply("thought: ok\nfinal answer: 451 by 300"),
        ]);

        var run = await CliRunner.RunAsync("ask", "--image", RepositoryPaths.SampleImage("chelsea.png"), "--json",
            "--llm-endpoint", server.Endpoint, "size?");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("\"answer\": \"451 by 300\"", run.Output);
        Assert.DoesNotContain(server.Messages(1), m => m.Content.Contains("I imagine", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Step_limit_exits_5_and_keeps_steps()
    {
        using var server = new ScriptedChatServer(responder: _ => ScriptedResponse.Reply("Action: image_info\nAction Input: img1"));

        var run = await CliRunner.RunAsync("ask", "--image", RepositoryPaths.SampleImage("chelsea.png"), "--json", "--max-steps", "2",
            "--llm-endpoint", server.Endpoint, "loop forever");

        Assert.Equal(5, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Output);
        Assert.Equal("step_limit", doc.RootElement.GetProperty("status").GetString());
        Assert.Equal(2, doc.RootElement.GetProperty("steps").GetArrayLength());
    }

    [Fact]
    public async Task Human_output_shows_thoughts_actions_observations_and_answer()
    {
        using var server = new ScriptedChatServer([
            ScriptedResponse.Reply("Thought: check\nAction: image_info\nAction Input: img1"),
            ScriptedResponse.Reply("Final Answer: done"),
        ]);

        var run = await CliRunner.RunAsync("ask", "-i", RepositoryPaths.SampleImage("chelsea.png"), "--llm-endpoint", server.Endpoint, "q");

        Assert.Equal(0, run.ExitCode);
        var lines = run.Output.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("Planner: LLM openai-compatible", StringComparison.Ordinal));
        Assert.Contains(lines, l => l == "Thought: check");
        Assert.Contains(lines, l => l.StartsWith("Action: image_info", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Observation: img1: PNG 451x300", StringComparison.Ordinal));
        Assert.Equal("done", lines.Last(l => l.Length > 0));
    }

    [Theory]
    [InlineData(3, "ask", "--image", "/no/such/image.png", "--llm-endpoint", "http://127.0.0.1:9/v1", "q")]
    [InlineData(2, "ask", "--bogus-flag", "q")]
    [InlineData(2, "frobnicate")]
    [InlineData(2, "ask", "--mode", "dance", "q")]
    [InlineData(3, "ask", "--config", "/no/such/visionagent.yaml", "q")]
    [InlineData(3, "ask", "--max-steps", "0", "--llm-endpoint", "http://127.0.0.1:9/v1", "q")]
    public async Task Bad_input_gets_a_one_line_error_and_a_documented_exit_code(int expected, params string[] args)
    {
        var run = await CliRunner.RunAsync(args);

        Assert.Equal(expected, run.ExitCode);
        var errorLines = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(errorLines);
        Assert.StartsWith("error: ", errorLines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreachable_llm_exits_4_with_one_line()
    {
        var run = await CliRunner.RunAsync("ask", "--image", RepositoryPaths.SampleImage("chelsea.png"), "--json",
            "--llm-endpoint", "http://127.0.0.1:9/v1", "q");

        Assert.Equal(4, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Output);
        Assert.Equal("error", doc.RootElement.GetProperty("status").GetString());
        Assert.Contains("cannot reach the LLM endpoint", doc.RootElement.GetProperty("error").GetString());
    }
}
