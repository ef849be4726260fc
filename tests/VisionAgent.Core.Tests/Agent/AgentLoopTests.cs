using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using VisionAgent.Core.Agent;
using VisionAgent.Core.Prompts;
using VisionAgent.Testing;
using VisionAgent.Testing.Llm;

namespace VisionAgent.Core.Tests.Agent;

/// <summary>Each loop on its own, driven directly (no session), over an in-process scripted chat.</summary>
public sealed class AgentLoopTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ReAct_loop_runs_the_action_feeds_the_observation_back_and_answers(bool stream)
    {
        var (host, probe) = TestHosts.Create();
        await using var _host = host;
        host.Images.AddInput(RepositoryPaths.SampleImage("chelsea.png"));
        var chat = new ScriptedChatService([
            "Thought: label it\nAction: probe.echo\nAction Input: {\"image\": \"img1\", \"label\": \"cat\"}\nObservation: made up",
            "Thought: done\nFinal Answer: labelled",
        ]);
        var options = new AgentOptions { Stream = stream };
        var loop = new ReActLoop(new LlmCaller(chat), host.Invoker, new ChatHistoryBuilder(host.Registry, host.Images, options), PromptLibrary.Default.ReAct, options);
        var run = new AgentRun(options.MaxSteps, host.Images, new LlmIdentity("p", "m"));
        var events = new RecordingObserver();

        var result = await loop.RunAsync("label the image", [], run, events, CancellationToken.None);

        Assert.Equal(RunStatus.Answered, result.Status);
        Assert.Equal("labelled", result.Answer);
        Assert.Equal(1, probe.Calls);
        Assert.Equal("img1 labelled cat", Assert.Single(result.Steps).Observation);
        Assert.Equal(2, result.LlmCalls);
        var second = chat.Calls[1];
        Assert.Equal("Thought: label it\nAction: probe.echo\nAction Input: {\"image\": \"img1\", \"label\": \"cat\"}", second[^2].Content);
        Assert.Equal("Observation: img1 labelled cat", second[^1].Content);
        Assert.Equal(stream, events.Events.OfType<ThoughtDeltaEvent>().Any());
        if (stream) Assert.Equal("label itdone", string.Concat(events.Events.OfType<ThoughtDeltaEvent>().Select(d => d.Text)));
    }

    [Fact]
    public async Task ReAct_loop_stops_when_the_budget_is_spent()
    {
        var (host, _) = TestHosts.Create();
        await using var _host = host;
        host.Images.AddInput(RepositoryPaths.SampleImage("chelsea.png"));
        var chat = new ScriptedChatService(responder: h => $"Thought: again\nAction: probe.echo\nAction Input: {{\"image\": \"img1\", \"label\": \"l{h.Count}\"}}");
        var options = new AgentOptions { MaxSteps = 2 };
        var loop = new ReActLoop(new LlmCaller(chat), host.Invoker, new ChatHistoryBuilder(host.Registry, host.Images, options), PromptLibrary.Default.ReAct, options);

        var result = await loop.RunAsync("q", [], new AgentRun(2, host.Images, new LlmIdentity("p", "m")), new RecordingObserver(), CancellationToken.None);

        Assert.Equal(RunStatus.StepLimit, result.Status);
        Assert.Equal(2, result.Steps.Count);
    }

    [Fact]
    public async Task Tool_calling_loop_runs_the_calls_it_is_given_and_returns_the_text_reply()
    {
        var (host, probe) = TestHosts.Create();
        await using var _host = host;
        host.Images.AddInput(RepositoryPaths.SampleImage("chelsea.png"));
        var chat = new ToolCallingChat();
        var options = new AgentOptions { Mode = AgentMode.Tools };
        var loop = new ToolCallingLoop(new LlmCaller(chat), host.Invoker, new ChatHistoryBuilder(host.Registry, host.Images, options), PromptLibrary.Default.Tools, options);

        var result = await loop.RunAsync("label it", [], new AgentRun(8, host.Images, new LlmIdentity("p", "m")), new RecordingObserver(), CancellationToken.None);

        Assert.Equal(RunStatus.Answered, result.Status);
        Assert.Equal("it is a cat", result.Answer);
        Assert.Equal(1, probe.Calls);
        var step = Assert.Single(result.Steps);
        Assert.Equal("probe.echo", step.Action);
        Assert.Equal("img1 labelled cat", step.Observation);
        // The system prompt of native tool calling lists no tools: they go to the model as functions.
        Assert.DoesNotContain("probe.echo(", chat.Histories[0][0].Content, StringComparison.Ordinal);
        Assert.IsType<FunctionResultContent>(Assert.Single(chat.Histories[1][^1].Items));
    }

    /// <summary>Asks for probe.echo once, then answers in text.</summary>
    private sealed class ToolCallingChat : IChatCompletionService
    {
        public List<ChatHistory> Histories { get; } = [];

        public IReadOnlyDictionary<string, object?> Attributes { get; } = new Dictionary<string, object?>();

        public Task<IReadOnlyList<ChatMessageContent>> GetChatMessageContentsAsync(ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, CancellationToken cancellationToken = default)
        {
            Histories.Add([.. chatHistory]);
            var reply = Histories.Count == 1
                ? new ChatMessageContent(AuthorRole.Assistant, [new FunctionCallContent("echo", "probe", "call_1", new KernelArguments { ["image"] = "img1", ["label"] = "cat" })])
                : new ChatMessageContent(AuthorRole.Assistant, "it is a cat");
            return Task.FromResult<IReadOnlyList<ChatMessageContent>>([reply]);
        }

        public IAsyncEnumerable<StreamingChatMessageContent> GetStreamingChatMessageContentsAsync(ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("native tool calling takes whole replies");
    }
}
