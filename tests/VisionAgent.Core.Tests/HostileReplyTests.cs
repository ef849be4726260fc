using System.Diagnostics;
using System.Text;
using VisionAgent.Abstractions;
using VisionAgent.Core.Agent;
using VisionAgent.Testing.Llm;
using Xunit.Abstractions;

namespace VisionAgent.Core.Tests;

/// <summary>Replies an attacker (or a broken model) could send: huge values, thousands of actions, slow bodies, long Retry-After.</summary>
public sealed class HostileReplyTests(ITestOutputHelper output)
{
    private const string Final = "Thought: done\nFinal Answer: ok";

    private static string Slashes(int length)
    {
        var builder = new StringBuilder(length);
        while (builder.Length < length) builder.Append("a/");
        return builder.ToString(0, length);
    }

    [Fact]
    public void Path_check_is_linear_on_a_megabyte_of_slashes()
    {
        // Before: the image-file pattern backtracked quadratically (226 s for 1 MB). Now every pattern is linear.
        var value = Slashes(1 << 20);
        var clock = Stopwatch.StartNew();

        var refused = ToolInvoker.LooksLikePathOrUrl(value);

        clock.Stop();
        output.WriteLine($"LooksLikePathOrUrl on 1 MiB of 'a/': {clock.ElapsedMilliseconds} ms");
        Assert.False(refused);
        Assert.True(ToolInvoker.LooksLikePathOrUrl(value + ".png"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"{clock.ElapsedMilliseconds} ms");
    }

    /// <summary>A megabyte shaped against each pattern: a long run its repeated class accepts, then a mismatch at the end.</summary>
    [Theory]
    [InlineData("~", "a", " ", false)]
    [InlineData("c:", ".", "!", false)]
    [InlineData("c:", "a.", "", false)]
    [InlineData("data:", "a", "/a", true)]
    [InlineData("x data:a/", "a", " ", false)]
    [InlineData("", "a/", ".pn", false)]
    [InlineData("", "a/.", "png", true)]
    [InlineData("", ".", "", false)]
    [InlineData("", "/", "x", true)]
    [InlineData("$", "a", "", false)]
    [InlineData("", "http", "", false)]
    public void Path_check_is_linear_on_a_megabyte_shaped_against_each_pattern(string prefix, string repeated, string suffix, bool expected)
    {
        var value = prefix + string.Concat(Enumerable.Repeat(repeated, (1 << 20) / repeated.Length)) + suffix;
        var clock = Stopwatch.StartNew();

        var refused = ToolInvoker.LooksLikePathOrUrl(value);

        clock.Stop();
        output.WriteLine($"{clock.ElapsedMilliseconds} ms");
        Assert.Equal(expected, refused);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"{clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Megabyte_handle_is_refused_quickly_and_not_echoed()
    {
        var handle = Slashes(1 << 20);
        using var harness = new AgentHarness(agent: a => a.TimeoutSeconds = 20);
        var chat = new ScriptedChatService([$"Action: image_info\nAction Input: {{\"image\": \"{handle}\"}}", Final]);

        var result = await harness.Session(chat).AskAsync("q", null, CancellationToken.None);

        Assert.Equal(RunStatus.Answered, result.Status);
        var step = Assert.Single(result.Steps);
        Assert.True(step.Failed);
        Assert.Contains("1,048,576 characters long", step.Observation, StringComparison.Ordinal);
        Assert.Contains($"at most {ToolInvoker.MaxArgumentLength:N0}", step.Observation, StringComparison.Ordinal);
        Assert.True(step.Observation.Length < 600, $"{step.Observation.Length} characters");
        Assert.Empty(harness.ExpertCalls);
    }

    [Fact]
    public async Task Unknown_long_handle_is_quoted_in_part()
    {
        var handle = "img" + new string('9', 4000);
        using var harness = new AgentHarness();
        var chat = new ScriptedChatService([$"Action: read\nAction Input: {{\"image\": \"{handle}\"}}", Final]);

        var result = await harness.Session(chat).AskAsync("q", null, CancellationToken.None);

        var step = Assert.Single(result.Steps);
        Assert.True(step.Failed);
        Assert.Contains("unknown image handle", step.Observation, StringComparison.Ordinal);
        Assert.Contains("(4,003 characters)", step.Observation, StringComparison.Ordinal);
        Assert.Contains("img1", step.Observation, StringComparison.Ordinal);
        Assert.True(step.Observation.Length < 400, $"{step.Observation.Length} characters");
    }

    [Fact]
    public async Task Ten_megabyte_tool_name_is_quoted_in_part()
    {
        var tool = new string('x', 10 << 20);
        using var harness = new AgentHarness();
        var chat = new ScriptedChatService([$"Action: {tool}\nAction Input: {{\"image\": \"img1\"}}", Final]);

        var result = await harness.Session(chat).AskAsync("q", null, CancellationToken.None);

        var step = Assert.Single(result.Steps);
        Assert.True(step.Failed);
        Assert.StartsWith("Error: Unknown tool '\"xxxx", step.Observation, StringComparison.Ordinal);
        Assert.Contains("(10,485,760 characters)", step.Observation, StringComparison.Ordinal);
        Assert.True(step.Observation.Length < 500, $"{step.Observation.Length} characters");
        Assert.Contains(chat.Calls[1], m => m.Content is { } c && c.StartsWith("Observation: Error: Unknown tool", StringComparison.Ordinal) && c.Length < 600);
    }

    [Fact]
    public async Task Every_action_of_one_reply_counts_against_the_step_budget()
    {
        var actions = string.Join('\n', Enumerable.Range(0, ReActParser.MaxActionsPerReply).Select(i => $"Action: edit.background\nAction Input: {{\"image\": \"img1\", \"prompt\": \"p{i}\"}}"));
        using var harness = new AgentHarness(agent: a => a.MaxSteps = 2);
        var chat = new ScriptedChatService([actions, Final]);

        var result = await harness.Session(chat).AskAsync("q", null, CancellationToken.None);

        Assert.Equal(RunStatus.StepLimit, result.Status);
        Assert.Equal(ExitCodes.LimitReached, result.ErrorCode);
        Assert.Equal(2, harness.ExpertCalls.Count);
        Assert.Single(chat.Calls);
        var note = result.Steps[^1];
        Assert.True(note.Failed);
        Assert.Contains($"{ReActParser.MaxActionsPerReply - 2} more action(s)", note.Observation, StringComparison.Ordinal);
        Assert.Contains("budget of 2 steps", note.Observation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reply_with_thousands_of_actions_runs_none_of_them()
    {
        var actions = string.Join('\n', Enumerable.Range(0, 3000).Select(i => $"Action: edit.background\nAction Input: {{\"image\": \"img1\", \"prompt\": \"p{i}\"}}"));
        using var harness = new AgentHarness(agent: a => a.MaxSteps = 2);
        var chat = new ScriptedChatService([actions, Final]);

        var result = await harness.Session(chat).AskAsync("q", null, CancellationToken.None);

        Assert.Empty(harness.ExpertCalls);
        Assert.True(result.Steps[0].Failed);
        Assert.Contains("3000 actions", result.Steps[0].Observation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Actions_within_the_budget_all_run_and_later_replies_share_it()
    {
        var two = "Action: edit.background\nAction Input: {\"image\": \"img1\", \"prompt\": \"a\"}\nAction: edit.background\nAction Input: {\"image\": \"img1\", \"prompt\": \"b\"}";
        var three = "Action: edit.background\nAction Input: {\"image\": \"img1\", \"prompt\": \"c\"}\nAction: edit.background\nAction Input: {\"image\": \"img1\", \"prompt\": \"d\"}\nAction: edit.background\nAction Input: {\"image\": \"img1\", \"prompt\": \"e\"}";
        using var harness = new AgentHarness(agent: a => a.MaxSteps = 4);
        var chat = new ScriptedChatService([two, three, Final]);

        var result = await harness.Session(chat).AskAsync("q", null, CancellationToken.None);

        Assert.Equal(RunStatus.StepLimit, result.Status);
        Assert.Equal(["edit.background(img1,a)", "edit.background(img1,b)", "edit.background(img1,c)", "edit.background(img1,d)"], harness.ExpertCalls);
        Assert.Contains("1 more action(s)", result.Steps[^1].Observation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Native_tool_calls_of_one_reply_count_against_the_step_budget()
    {
        var calls = Enumerable.Range(0, 300).Select(i => ("edit-background", $"{{\"image\": \"img1\", \"prompt\": \"p{i}\"}}"));
        using var server = new ScriptedChatServer([ScriptedResponse.ToolCalls(calls), ScriptedResponse.Reply("done")]);
        using var harness = new AgentHarness(agent: a => { a.Mode = "tools"; a.MaxSteps = 2; }, endpoint: server.Endpoint);

        var result = await harness.ConnectorSession().AskAsync("q", null, CancellationToken.None);

        Assert.Equal(RunStatus.StepLimit, result.Status);
        Assert.Equal(2, harness.ExpertCalls.Count);
        Assert.Single(server.Requests);
        Assert.Contains("298 tool call(s)", result.Steps[^1].Observation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Body_sent_one_byte_at_a_time_ends_at_the_attempt_timeout()
    {
        // Before, only the run's timeout ended it (exit 5); now each attempt includes its body.
        using var server = new ScriptedChatServer(responder: _ => ScriptedResponse.Reply(Final) with { BytePause = TimeSpan.FromMilliseconds(100) });
        using var harness = new AgentHarness(llm: l => { l.TimeoutSeconds = 1; l.MaxRetries = 1; }, agent: a => a.TimeoutSeconds = 60, endpoint: server.Endpoint);
        var clock = Stopwatch.StartNew();

        var result = await harness.ConnectorSession().AskAsync("q", null, CancellationToken.None);

        clock.Stop();
        output.WriteLine($"trickling body, 1 s per attempt, 1 retry: {result.Status} after {clock.ElapsedMilliseconds} ms and {server.Requests.Count} requests: {result.Error}");
        Assert.Equal(RunStatus.Error, result.Status);
        Assert.Equal(ExitCodes.LlmFailure, result.ErrorCode);
        Assert.Contains("did not answer in time", result.Error, StringComparison.Ordinal);
        Assert.Equal(2, server.Requests.Count);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"{clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Slow_body_within_the_attempt_timeout_is_read()
    {
        using var server = new ScriptedChatServer([ScriptedResponse.Reply(Final) with { BytePause = TimeSpan.FromMilliseconds(1) }]);
        using var harness = new AgentHarness(llm: l => l.TimeoutSeconds = 30, endpoint: server.Endpoint);

        var result = await harness.ConnectorSession().AskAsync("q", null, CancellationToken.None);

        Assert.Equal(RunStatus.Answered, result.Status);
        Assert.Equal("ok", result.Answer);
    }

    [Theory]
    [InlineData("3600")]
    [InlineData("Fri, 31 Dec 2100 23:59:59 GMT")]
    public async Task Retry_after_beyond_the_budget_fails_at_once(string retryAfter)
    {
        using var server = new ScriptedChatServer(responder: _ => ScriptedResponse.Error(429, retryAfter));
        using var harness = new AgentHarness(llm: l => { l.MaxRetries = 3; l.TimeoutSeconds = 5; }, agent: a => a.TimeoutSeconds = 60, endpoint: server.Endpoint);
        var clock = Stopwatch.StartNew();

        var result = await harness.ConnectorSession().AskAsync("q", null, CancellationToken.None);

        clock.Stop();
        output.WriteLine($"429 with Retry-After {retryAfter}: {result.Status} after {clock.ElapsedMilliseconds} ms: {result.Error}");
        Assert.Equal(RunStatus.Error, result.Status);
        Assert.Equal(ExitCodes.LlmFailure, result.ErrorCode);
        Assert.Contains("429", result.Error, StringComparison.Ordinal);
        Assert.Single(server.Requests);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"{clock.ElapsedMilliseconds} ms");
    }
}
