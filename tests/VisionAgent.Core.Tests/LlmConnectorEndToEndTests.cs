using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using VisionAgent.Abstractions;
using VisionAgent.Core.Agent;
using VisionAgent.Core.Configuration;
using VisionAgent.Testing.Llm;
using Xunit.Abstractions;

namespace VisionAgent.Core.Tests;

/// <summary>The loop through the real SK OpenAI connector and its resilience pipeline, against the scripted server.</summary>
public sealed class LlmConnectorEndToEndTests(ITestOutputHelper output)
{
    private const string InfoAction = "Thought: I need the size.\nAction: image_info\nAction Input: {\"image\": \"img1\"}";
    private const string Final = "Thought: I can answer now\nFinal Answer: a cat, 451x300";

    [Fact]
    public async Task React_conversation_calls_image_info_and_answers()
    {
        using var server = new ScriptedChatServer([ScriptedResponse.Reply(InfoAction), ScriptedResponse.Reply(Final)]);
        using var harness = new AgentHarness(endpoint: server.Endpoint);

        var result = await harness.ConnectorSession().AskAsync("how big is the image?", null, CancellationToken.None);

        Assert.Equal(RunStatus.Answered, result.Status);
        Assert.Equal("a cat, 451x300", result.Answer);
        var step = Assert.Single(result.Steps);
        Assert.Equal("image_info", step.Action);
        Assert.False(step.Failed);
        Assert.Contains("451x300", step.Observation, StringComparison.Ordinal);
        Assert.Equal(2, server.Requests.Count);
        Assert.Contains(server.Messages(1), m => m.Role == "user" && m.Content.StartsWith("Observation: img1: PNG 451x300", StringComparison.Ordinal));
        Assert.Equal(20, result.Tokens.Prompt);
        Assert.Equal(2, result.LlmCalls);
    }

    [Fact]
    public async Task Sloppy_formats_still_complete()
    {
        using var server = new ScriptedChatServer(
        [
            ScriptedResponse.Reply("**Action:** `image_info`\n**action input:** img1\nObservation: I will invent this"),
            ScriptedResponse.Reply("I looked at it."),
            ScriptedResponse.Reply("```\nfinal answer: it is a cat\n```"),
        ]);
        using var harness = new AgentHarness(endpoint: server.Endpoint);

        var result = await harness.ConnectorSession().AskAsync("what is it?", null, CancellationToken.None);

        Assert.Equal(RunStatus.Answered, result.Status);
        Assert.Contains("cat", result.Answer, StringComparison.Ordinal);
        Assert.Equal("image_info", result.Steps[0].Action);
        Assert.False(result.Steps[0].Failed);
        Assert.True(result.Steps[1].Failed);
    }

    [Fact]
    public async Task Rate_limit_with_retry_after_is_waited_out_then_succeeds()
    {
        using var server = new ScriptedChatServer([ScriptedResponse.Error(429, retryAfter: "1"), ScriptedResponse.Reply(Final)]);
        using var harness = new AgentHarness(llm: l => l.MaxRetries = 2, endpoint: server.Endpoint);
        var clock = Stopwatch.StartNew();

        var result = await harness.ConnectorSession().AskAsync("q", null, CancellationToken.None);

        Assert.Equal(RunStatus.Answered, result.Status);
        Assert.Equal(2, server.Requests.Count);
        // The base delay is 10 ms, so only Retry-After explains a wait of about a second.
        Assert.InRange(clock.Elapsed.TotalSeconds, 0.9, 5);
        output.WriteLine($"429 + Retry-After: 1 then success in {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Server_error_is_retried_then_succeeds()
    {
        using var server = new ScriptedChatServer([ScriptedResponse.Error(500), ScriptedResponse.Error(503), ScriptedResponse.Reply(Final)]);
        using var harness = new AgentHarness(llm: l => l.MaxRetries = 3, endpoint: server.Endpoint);

        var result = await harness.ConnectorSession().AskAsync("q", null, CancellationToken.None);

        Assert.Equal(RunStatus.Answered, result.Status);
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task Server_error_forever_exhausts_the_retry_budget_with_a_clear_error()
    {
        using var server = new ScriptedChatServer(responder: _ => ScriptedResponse.Error(500));
        using var harness = new AgentHarness(llm: l => { l.MaxRetries = 3; l.RetryDelaySeconds = 0.05; }, endpoint: server.Endpoint);
        var clock = Stopwatch.StartNew();

        var result = await harness.ConnectorSession().AskAsync("q", null, CancellationToken.None);

        clock.Stop();
        Assert.Equal(RunStatus.Error, result.Status);
        Assert.Equal(ExitCodes.LlmFailure, result.ErrorCode);
        Assert.Contains("500", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", result.Error ?? "", StringComparison.Ordinal);
        Assert.Equal(4, server.Requests.Count);
        output.WriteLine($"500 forever, 3 retries at 50 ms base: gave up after {clock.ElapsedMilliseconds} ms and {server.Requests.Count} requests: {result.Error}");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Hang_past_the_attempt_timeout_is_an_llm_error()
    {
        using var server = new ScriptedChatServer([ScriptedResponse.Reply(Final) with { Delay = TimeSpan.FromSeconds(30) }]);
        using var harness = new AgentHarness(llm: l => l.TimeoutSeconds = 0.5, endpoint: server.Endpoint);
        var clock = Stopwatch.StartNew();

        var result = await harness.ConnectorSession().AskAsync("q", null, CancellationToken.None);

        Assert.Equal(RunStatus.Error, result.Status);
        Assert.Equal(ExitCodes.LlmFailure, result.ErrorCode);
        Assert.Contains("did not answer in time", result.Error, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"{clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Hang_then_answer_is_retried_within_the_budget()
    {
        // 3 s per attempt: the retried request must be read and answered within one attempt even on a loaded machine.
        using var server = new ScriptedChatServer([ScriptedResponse.Reply(Final) with { Delay = TimeSpan.FromSeconds(30) }, ScriptedResponse.Reply(Final)]);
        using var harness = new AgentHarness(llm: l => { l.TimeoutSeconds = 3; l.MaxRetries = 1; }, endpoint: server.Endpoint);

        var result = await harness.ConnectorSession().AskAsync("q", null, CancellationToken.None);

        output.WriteLine($"hang then answer: {result.Status} after {server.Requests.Count} requests: {result.Error}");
        Assert.Equal(RunStatus.Answered, result.Status);
    }

    public static TheoryData<string, string> GarbageBodies() => new()
    {
        { "malformed-json", "{\"choices\": [{\"message\": {\"role\": \"assistant\", \"content\": \"hi" },
        { "html", "<html><body>502 Bad Gateway</body></html>" },
        { "empty-object", "{}" },
        { "no-choices", "{\"id\":\"x\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\",\"choices\":[]}" },
        { "wrong-types", "{\"id\":1,\"object\":\"chat.completion\",\"created\":\"yesterday\",\"model\":[],\"choices\":{}}" },
        { "empty", "" },
    };

    [Theory]
    [MemberData(nameof(GarbageBodies))]
    public async Task Garbage_body_is_an_llm_error_not_a_crash(string name, string body)
    {
        using var server = new ScriptedChatServer([new ScriptedResponse { Body = body }]);
        using var harness = new AgentHarness(endpoint: server.Endpoint);

        var result = await harness.ConnectorSession().AskAsync("q", null, CancellationToken.None);

        output.WriteLine($"{name}: {result.Status}: {result.Error}");
        Assert.Equal(RunStatus.Error, result.Status);
        Assert.Equal(ExitCodes.LlmFailure, result.ErrorCode);
        Assert.DoesNotContain("\n", result.Error ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task Truncated_body_is_an_llm_error()
    {
        using var server = new ScriptedChatServer([ScriptedResponse.Reply(Final) with { TruncateAfterBytes = 40 }]);
        using var harness = new AgentHarness(endpoint: server.Endpoint);

        var result = await harness.ConnectorSession().AskAsync("q", null, CancellationToken.None);

        output.WriteLine(result.Error);
        Assert.Equal(RunStatus.Error, result.Status);
        Assert.Equal(ExitCodes.LlmFailure, result.ErrorCode);
    }

    [Fact]
    public async Task Unreachable_endpoint_is_an_llm_error()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var harness = new AgentHarness(endpoint: $"http://127.0.0.1:{port}/v1");

        var result = await harness.ConnectorSession().AskAsync("q", null, CancellationToken.None);

        Assert.Equal(RunStatus.Error, result.Status);
        Assert.Equal(ExitCodes.LlmFailure, result.ErrorCode);
        Assert.Contains("cannot reach", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failure_mid_run_keeps_the_steps_and_produced_images()
    {
        using var server = new ScriptedChatServer([ScriptedResponse.Reply("Action: edit.remove\nAction Input: {\"image\": \"img1\", \"target\": \"cat\"}")],
            responder: _ => ScriptedResponse.Error(500));
        using var harness = new AgentHarness(endpoint: server.Endpoint);

        var result = await harness.ConnectorSession().AskAsync("remove the cat", null, CancellationToken.None);

        Assert.Equal(RunStatus.Error, result.Status);
        Assert.Equal(ExitCodes.LlmFailure, result.ErrorCode);
        var step = Assert.Single(result.Steps);
        Assert.Equal("edit.remove", step.Action);
        Assert.Equal(["img2"], step.ImagesProduced);
        Assert.Contains(result.Images, i => i.Handle == "img2" && i.Parent == "img1");
    }

    [Fact]
    public async Task Native_tools_mode_calls_the_tool_and_answers()
    {
        using var server = new ScriptedChatServer(
        [
            ScriptedResponse.ToolCall("image_info-image_info", "{\"image\": \"img1\"}"),
            ScriptedResponse.Reply("The image is 451x300."),
        ]);
        using var harness = new AgentHarness(agent: a => a.Mode = "tools", endpoint: server.Endpoint);

        var result = await harness.ConnectorSession().AskAsync("how big?", null, CancellationToken.None);

        Assert.Equal(RunStatus.Answered, result.Status);
        Assert.Equal("The image is 451x300.", result.Answer);
        var step = Assert.Single(result.Steps);
        Assert.Equal("image_info", step.Action);
        Assert.Contains("451x300", step.Observation, StringComparison.Ordinal);
        Assert.Contains("\"tools\"", server.Requests.First(), StringComparison.Ordinal);
        Assert.Contains(server.Messages(1), m => m.Role == "tool" && m.Content.Contains("451x300", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Native_tools_mode_path_argument_is_refused()
    {
        using var server = new ScriptedChatServer(
        [
            ScriptedResponse.ToolCall("edit-remove", "{\"image\": \"/etc/passwd\"}"),
            ScriptedResponse.Reply("I cannot."),
        ]);
        using var harness = new AgentHarness(agent: a => a.Mode = "tools", endpoint: server.Endpoint);

        var result = await harness.ConnectorSession().AskAsync("remove it", null, CancellationToken.None);

        Assert.Equal(RunStatus.Answered, result.Status);
        Assert.True(Assert.Single(result.Steps).Failed);
        Assert.Empty(harness.ExpertCalls);
    }

    [Fact]
    public void Default_retry_budget_is_reported()
    {
        var config = new LlmConfig();
        var backoff = Enumerable.Range(0, config.MaxRetries).Sum(i => config.RetryDelaySeconds * Math.Pow(2, i));
        var hangWorstCase = config.TimeoutSeconds * (config.MaxRetries + 1) + backoff;

        output.WriteLine($"defaults: {config.MaxRetries} retries, {config.RetryDelaySeconds} s base delay (exponential, jittered), {config.TimeoutSeconds} s per attempt");
        output.WriteLine($"500 forever gives up after about {backoff} s of back-off; a hanging endpoint after about {hangWorstCase} s");
        Assert.Equal(14, backoff);
        Assert.Equal(494, hangWorstCase);
    }
}
