using VisionAgent.Abstractions;
using VisionAgent.Core.Agent;
using VisionAgent.Testing.Llm;

namespace VisionAgent.Core.Tests;

/// <summary>Streamed ReAct replies through the real SK connector and HTTP pipeline, against the scripted server's server-sent events.</summary>
public sealed class StreamedReplyEndToEndTests
{
    private const string InfoAction = "Thought: I need the size.\nAction: image_info\nAction Input: {\"image\": \"img1\"}";
    private const string Final = "Thought: I can answer now\nFinal Answer: a cat, 451x300";

    // "Action:" falls across two pieces, and so does the JSON of the input.
    private static readonly string[] InfoPieces = ["Thought: I need", " the size.\nAct", "ion: image_info\nAction Input: {\"ima", "ge\": \"img1\"}"];
    private static readonly string[] FinalPieces = ["Thought: I can", " answer now\nFinal Ans", "wer: a cat, 451x300"];

    [Fact]
    public async Task Streamed_run_has_the_same_transcript_and_trace_as_the_whole_reply_run()
    {
        var (whole, wholeRequests) = await RunAsync([ScriptedResponse.Reply(InfoAction), ScriptedResponse.Reply(Final)], stream: false);
        var (streamed, streamedRequests, events) = await RunStreamedAsync([ScriptedResponse.Stream(InfoPieces), ScriptedResponse.Stream(FinalPieces)]);

        AssertSameRun(whole, streamed);
        Assert.Equal(wholeRequests, streamedRequests);
        Assert.Equal(20, streamed.Tokens.Prompt);
        Assert.Equal(10, streamed.Tokens.Completion);
        // The thought arrived in pieces, without any label, and with nothing of the action.
        var deltas = events.OfType<ThoughtDeltaEvent>().Select(d => d.Text).ToList();
        Assert.True(deltas.Count >= 3, string.Join("|", deltas));
        Assert.Equal("I need the size.I can answer now", string.Concat(deltas));
        Assert.DoesNotContain(deltas, d => d.Contains("Act", StringComparison.Ordinal) || d.Contains("Thought", StringComparison.Ordinal));
        Assert.Equal(["I need the size.", "I can answer now"], events.OfType<ThoughtEvent>().Select(t => t.Thought));
    }

    [Fact]
    public async Task Streamed_request_asks_for_a_stream_with_the_stop_sequences()
    {
        using var server = new ScriptedChatServer([ScriptedResponse.Stream(FinalPieces)]);
        using var harness = new AgentHarness(endpoint: server.Endpoint);

        await harness.ConnectorSession(stream: true).AskAsync("q", null, CancellationToken.None);

        var request = Assert.Single(server.Requests);
        Assert.Contains("\"stream\":true", request, StringComparison.Ordinal);
        Assert.Contains("\"stop\":[\"\\nObservation:\",\"Observation:\"]", request, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_observation_the_model_writes_itself_is_cut_from_the_stream_as_from_a_whole_reply()
    {
        string[] inventing = ["Thought: size\nAction: image_info\nAction Input: {\"image\": \"img1\"}\nObser", "vation: it is 10x10\nThought: so I", " answer\nFinal Answer: 10x10"];
        var (whole, wholeRequests) = await RunAsync([ScriptedResponse.Reply(string.Concat(inventing)), ScriptedResponse.Reply(Final)], stream: false);
        var (streamed, streamedRequests, events) = await RunStreamedAsync([ScriptedResponse.Stream(inventing), ScriptedResponse.Stream(FinalPieces)]);

        AssertSameRun(whole, streamed, sameTokens: false);
        Assert.Equal(wholeRequests, streamedRequests);
        Assert.Equal("a cat, 451x300", streamed.Answer);
        // The stream closed at the stop sequence, before the usage the server sends last: only the second reply counts.
        Assert.Equal(new TokenUsage(10, 5), streamed.Tokens);
        Assert.DoesNotContain(streamedRequests[1], m => m.Content.Contains("10x10", StringComparison.Ordinal));
        Assert.DoesNotContain(events.OfType<ThoughtDeltaEvent>(), d => d.Text.Contains("Obser", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_stream_that_hangs_half_way_is_asked_for_again()
    {
        var hanging = ScriptedResponse.Stream(InfoPieces) with { HangAfterEvents = 2 };
        var (whole, _) = await RunAsync([ScriptedResponse.Reply(InfoAction), ScriptedResponse.Reply(Final)], stream: false);
        var (streamed, requests, events) = await RunStreamedAsync([hanging, ScriptedResponse.Stream(InfoPieces), ScriptedResponse.Stream(FinalPieces)],
            idleSeconds: 0.5, retries: 1);

        AssertSameRun(whole, streamed);
        Assert.Equal(3, requests.Count);
        var restart = Assert.Single(events.OfType<ReplyRestartedEvent>());
        Assert.Contains("sent nothing for 0.5 s", restart.Reason, StringComparison.Ordinal);
        // What the broken stream showed came before the restart; the reply asked for again was shown whole.
        var after = events.SkipWhile(e => e is not ReplyRestartedEvent).OfType<ThoughtDeltaEvent>().Select(d => d.Text);
        Assert.StartsWith("I need the size.", string.Concat(after), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_that_hangs_with_no_retries_left_is_an_llm_error()
    {
        var hanging = ScriptedResponse.Stream(InfoPieces) with { HangAfterEvents = 1 };
        var (result, _, _) = await RunStreamedAsync([hanging], idleSeconds: 0.5, retries: 0);

        Assert.Equal(RunStatus.Error, result.Status);
        Assert.Equal(ExitCodes.LlmFailure, result.ErrorCode);
        Assert.Equal("the LLM endpoint's answer was cut off (the LLM stream sent nothing for 0.5 s (llm.stream_idle_seconds))", result.Error);
        Assert.Null(result.Answer);
    }

    [Fact]
    public async Task A_stream_that_never_sends_its_first_token_is_given_up_after_the_idle_time()
    {
        var silent = ScriptedResponse.Stream(FinalPieces) with { HangAfterEvents = 0 };
        var (result, _, events) = await RunStreamedAsync([silent, ScriptedResponse.Stream(FinalPieces)], idleSeconds: 0.5, retries: 1);

        Assert.Equal(RunStatus.Answered, result.Status);
        Assert.Single(events.OfType<ReplyRestartedEvent>());
        Assert.Equal(1, result.LlmCalls);
    }

    [Theory]
    [InlineData("ends without a finish reason or [DONE]")]
    [InlineData("drops the connection")]
    public async Task A_stream_cut_short_is_never_taken_for_the_reply(string how)
    {
        ScriptedResponse Cut(string[] pieces) => how.StartsWith("ends", StringComparison.Ordinal)
            ? ScriptedResponse.Stream(pieces) with { EndAfterEvents = 2 }
            : ScriptedResponse.Stream(pieces) with { DropAfterEvents = 2 };

        var (failed, _, _) = await RunStreamedAsync([Cut(FinalPieces)], retries: 0);
        Assert.Equal(RunStatus.Error, failed.Status);
        Assert.Equal(ExitCodes.LlmFailure, failed.ErrorCode);
        Assert.StartsWith("the LLM endpoint's answer was cut off", failed.Error, StringComparison.Ordinal);
        Assert.Null(failed.Answer);

        var (whole, _) = await RunAsync([ScriptedResponse.Reply(InfoAction), ScriptedResponse.Reply(Final)], stream: false);
        var (retried, requests, events) = await RunStreamedAsync([Cut(InfoPieces), ScriptedResponse.Stream(InfoPieces), ScriptedResponse.Stream(FinalPieces)], retries: 2);
        AssertSameRun(whole, retried);
        Assert.Equal(3, requests.Count);
        Assert.Single(events.OfType<ReplyRestartedEvent>());
    }

    [Fact]
    public async Task A_stream_that_trickles_past_the_attempt_timeout_is_given_up()
    {
        // Every piece comes within the idle time, but the whole reply takes longer than llm.timeout_seconds.
        var trickle = ScriptedResponse.Stream(["Thought: a", " b", " c", " d", " e", " f"]) with { EventPause = TimeSpan.FromMilliseconds(400) };
        var (result, _, events) = await RunStreamedAsync([trickle], idleSeconds: 1, retries: 0, timeoutSeconds: 1.5);

        Assert.Equal(RunStatus.Error, result.Status);
        Assert.Contains("did not finish in time", result.Error, StringComparison.Ordinal);
        Assert.NotEmpty(events.OfType<ThoughtDeltaEvent>());
    }

    private static async Task<(AgentRunResult Result, List<IReadOnlyList<(string Role, string Content)>> Requests)> RunAsync(ScriptedResponse[] script, bool stream)
    {
        using var server = new ScriptedChatServer(script);
        using var harness = new AgentHarness(endpoint: server.Endpoint);
        var result = await harness.ConnectorSession(stream).AskAsync("how big is the image?", null, CancellationToken.None);
        return (result, Enumerable.Range(0, server.Requests.Count).Select(server.Messages).ToList());
    }

    private static async Task<(AgentRunResult Result, List<IReadOnlyList<(string Role, string Content)>> Requests, List<AgentEvent> Events)> RunStreamedAsync(
        ScriptedResponse[] script, double idleSeconds = 5, int retries = 0, double timeoutSeconds = 5)
    {
        using var server = new ScriptedChatServer(script);
        using var harness = new AgentHarness(llm: l =>
        {
            l.StreamIdleSeconds = idleSeconds;
            l.MaxRetries = retries;
            l.TimeoutSeconds = timeoutSeconds;
        }, endpoint: server.Endpoint);
        var events = new RecordingObserver();
        var result = await harness.ConnectorSession(stream: true).AskAsync("how big is the image?", events, CancellationToken.None);
        return (result, Enumerable.Range(0, server.Requests.Count).Select(server.Messages).ToList(), [.. events.Events]);
    }

    private static void AssertSameRun(AgentRunResult expected, AgentRunResult actual, bool sameTokens = true)
    {
        Assert.Equal(expected.Status, actual.Status);
        Assert.Equal(expected.Answer, actual.Answer);
        Assert.Equal(expected.Error, actual.Error);
        Assert.Equal(expected.LlmCalls, actual.LlmCalls);
        if (sameTokens) Assert.Equal(expected.Tokens, actual.Tokens);
        Assert.Equal(expected.Steps.Select(Comparable), actual.Steps.Select(Comparable));
    }

    // Durations differ from run to run; everything else in a step must not.
    private static string Comparable(AgentStep step) =>
        $"{step.Thought}|{step.Action}|{step.Input}|{step.Observation}|{step.Failed}|{string.Join(",", step.ImagesProduced)}|{string.Join(";", step.Repairs)}";
}
