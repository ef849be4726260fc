using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;
using VisionAgent.Abstractions;
using VisionAgent.Core.Experts;
using VisionAgent.Core.Llm;
using VisionAgent.Core.Prompts;

namespace VisionAgent.Core.Agent;

/// <summary>A question and the run that answered it, kept for multi-turn memory.</summary>
public sealed record AgentTurn(string Question, AgentRunResult Result);

/// <summary>
/// A conversation with the agent: the ReAct loop (or native tool calling) over an SK chat-completion service,
/// with memory of earlier turns. Every image handle stays valid across turns because the image list is
/// rebuilt into the system prompt at each call; only old question/answer pairs are trimmed.
/// </summary>
public sealed class AgentSession(
    IChatCompletionService chat,
    ToolInvoker invoker,
    IImageStore images,
    PromptLibrary prompts,
    AgentOptions options,
    LlmIdentity llm)
{
    private readonly List<AgentTurn> _turns = [];

    public IReadOnlyList<AgentTurn> Turns => _turns;

    public IImageStore Images => images;

    public AgentOptions Options => options;

    public LlmIdentity Llm => llm;

    public ToolInvoker Invoker => invoker;

    public void Reset()
    {
        _turns.Clear();
        images.Clear();
    }

    public async Task<AgentRunResult> AskAsync(string question, IAgentObserver? observer, CancellationToken cancellationToken)
    {
        observer ??= NullAgentObserver.Instance;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(options.Timeout);
        var run = new RunState(Stopwatch.StartNew(), new StepBudget(options.MaxSteps));
        AgentRunResult result;
        try
        {
            result = options.Mode == AgentMode.Tools
                ? await RunToolsAsync(question, run, observer, limit.Token)
                : await RunReActAsync(question, run, observer, limit.Token);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
            var status = cancellationToken.IsCancellationRequested ? RunStatus.Cancelled : RunStatus.Timeout;
            var message = status == RunStatus.Timeout ? $"the run took longer than {options.Timeout.TotalSeconds:0} s" : "cancelled";
            result = Finish(run, status, null, message);
        }
        catch (LlmException ex)
        {
            result = Finish(run, RunStatus.Error, null, ex.Message) with { ErrorCode = ExitCodes.LlmFailure };
        }
        _turns.Add(new AgentTurn(question, result));
        observer.OnEvent(new AnswerEvent(result));
        return result;
    }

    private async Task<AgentRunResult> RunReActAsync(string question, RunState run, IAgentObserver observer, CancellationToken ct)
    {
        var prompt = prompts.ReAct;
        var transcript = new ReActTranscript(prompt);
        var scratch = new List<ChatMessageContent>();
        var settings = new OpenAIPromptExecutionSettings
        {
            Temperature = options.Temperature,
            MaxTokens = options.MaxTokens,
            StopSequences = [.. transcript.StopSequences],
        };
        var unusableInARow = 0;

        while (!run.Budget.IsSpent)
        {
            var history = BuildHistory(prompt, question, scratch, includeTools: true);
            var reply = await CallLlmAsync(history, settings, kernel: null, run, observer, ct);
            var text = reply.Content ?? "";
            var parsed = ReActParser.Parse(text);
            if (parsed.Thought is not null) observer.OnEvent(new ThoughtEvent(parsed.Thought));
            scratch.Add(new ChatMessageContent(AuthorRole.Assistant, parsed.Text.Length > 0 ? parsed.Text : text));

            if (parsed.FinalAnswer is not null)
                return Finish(run, RunStatus.FromMetadata(reply.Metadata) ?? RunStatus.Answered, parsed.FinalAnswer, null);

            if (parsed.Error is not null)
            {
                unusableInARow++;
                // A model that twice answers in plain prose is answering: take its words rather than loop.
                if (unusableInARow >= 2 && parsed.Actions.Count == 0 && !string.IsNullOrWhiteSpace(text))
                    return Finish(run, RunStatus.Answered, text.Trim(), null);
                run.Budget.Take(1);
                var correction = PromptLibrary.Fill(prompt.Correction, new Dictionary<string, string> { ["problem"] = parsed.Error });
                RecordStep(run, observer, new AgentStep { Thought = parsed.Thought, Observation = correction.Trim(), Failed = true });
                scratch.Add(new ChatMessageContent(AuthorRole.User, transcript.Observation(correction.Trim())));
                continue;
            }
            unusableInARow = 0;

            var observations = new List<(string Tool, string Text)>();
            // A reply without actions still takes a step, so no reply can keep the loop going for free.
            var granted = run.Budget.Take(Math.Max(parsed.Actions.Count, 1));
            foreach (var action in parsed.Actions.Take(granted))
            {
                if (run.IsRepeatedTooOften(action.Tool, action.Arguments, action.Positional))
                    return Finish(run, RunStatus.StepLimit, null, RepeatMessage(action.Tool));
                observer.OnEvent(new ActionEvent(action.Tool, action.RawInput));
                var outcome = await invoker.InvokeAsync(action.Tool, action.Arguments, action.Positional, ct);
                var repairs = parsed.Repairs.Where(r => r.StartsWith(action.Tool + ": ", StringComparison.Ordinal)).ToList();
                RecordStep(run, observer, ToStep(parsed.Thought, action.Tool, action.RawInput, outcome) with { Repairs = repairs });
                observations.Add((outcome.Tool, outcome.Observation));
            }
            var observed = transcript.Observations(observations);
            if (SkipNote(prompt, run, parsed.Actions.Count - granted, observer) is { } skipped)
                observed += (observed.Length > 0 ? "\n" : "") + transcript.Observation(skipped);
            scratch.Add(new ChatMessageContent(AuthorRole.User, observed));
        }
        return Finish(run, RunStatus.StepLimit, null, $"stopped after {options.MaxSteps} steps without a final answer");
    }

    /// <summary>Records the actions of a reply that the step budget did not allow; null when none were skipped.</summary>
    private static string? SkipNote(ReActPrompt prompt, RunState run, int skipped, IAgentObserver observer)
    {
        if (skipped <= 0) return null;
        var note = PromptLibrary.Fill(prompt.SkippedActions, new Dictionary<string, string>
        {
            ["skipped"] = skipped.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["max_steps"] = run.Budget.Max.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }).Trim();
        RecordStep(run, observer, new AgentStep { Observation = note, Failed = true });
        return note;
    }

    private async Task<AgentRunResult> RunToolsAsync(string question, RunState run, IAgentObserver observer, CancellationToken ct)
    {
        var scratch = new List<ChatMessageContent>();
        var settings = new OpenAIPromptExecutionSettings
        {
            Temperature = options.Temperature,
            MaxTokens = options.MaxTokens,
            // We invoke functions ourselves so the step cap, argument checks and error sanitising are ours.
            FunctionChoiceBehavior = FunctionChoiceBehavior.Auto(autoInvoke: false),
        };
        while (!run.Budget.IsSpent)
        {
            var history = BuildHistory(prompts.Tools, question, scratch, includeTools: false);
            var reply = await CallLlmAsync(history, settings, invoker.Registry.Kernel, run, observer, ct);
            var calls = FunctionCallContent.GetFunctionCalls(reply).ToList();
            if (calls.Count == 0)
                return Finish(run, RunStatus.Answered, reply.Content ?? "", null);
            scratch.Add(reply);
            var granted = run.Budget.Take(calls.Count);
            foreach (var call in calls.Take(granted))
            {
                var toolName = ToolNameOf(call);
                var read = ToolCallArgumentReader.Read(call);
                var arguments = read.Arguments;
                if (run.IsRepeatedTooOften(toolName, arguments, null))
                    return Finish(run, RunStatus.StepLimit, null, RepeatMessage(toolName));
                var input = JsonSerializer.Serialize(arguments);
                observer.OnEvent(new ActionEvent(toolName, input));
                var outcome = read.Problem is null
                    ? await invoker.InvokeAsync(toolName, arguments, null, ct)
                    : new ToolOutcome(toolName, $"Error: the call to {toolName} was not run. {read.Problem}", null, true, 0, arguments);
                RecordStep(run, observer, ToStep(reply.Content, toolName, input, outcome) with { Repairs = read.Repairs });
                scratch.Add(new FunctionResultContent(call, outcome.Observation).ToChatMessage());
            }
            if (SkipNote(prompts.Tools, run, calls.Count - granted, observer) is { } skipped)
            {
                // Every call needs a result in the history, or the endpoint refuses the next request.
                foreach (var call in calls.Skip(granted)) scratch.Add(new FunctionResultContent(call, skipped).ToChatMessage());
            }
        }
        return Finish(run, RunStatus.StepLimit, null, $"stopped after {options.MaxSteps} steps without a final answer");
    }

    private string ToolNameOf(FunctionCallContent call)
    {
        var tool = invoker.Registry.Tools.FirstOrDefault(t =>
            string.Equals(t.Expert.Manifest.Name, call.PluginName, StringComparison.OrdinalIgnoreCase) &&
            string.Equals(t.Function.Name, call.FunctionName, StringComparison.OrdinalIgnoreCase));
        return tool?.Name ?? (call.PluginName is null ? call.FunctionName : $"{call.PluginName}.{call.FunctionName}");
    }

    private ChatHistory BuildHistory(ReActPrompt prompt, string question, List<ChatMessageContent> scratch, bool includeTools)
    {
        var values = new Dictionary<string, string>
        {
            ["tools"] = includeTools ? ToolCatalog.Describe(invoker.Registry, prompt.ToolLine) : "",
            ["images"] = DescribeImages(prompt),
            ["data_begin"] = UntrustedTextMarker.Begin,
            ["data_end"] = UntrustedTextMarker.End,
            ["marker"] = "^",
            ["vision"] = options.Vision ? prompt.VisionNote : "",
        };
        var history = new ChatHistory(PromptLibrary.Fill(prompt.System, values).TrimEnd());
        foreach (var turn in _turns.TakeLast(options.HistoryTurns))
        {
            history.AddUserMessage(turn.Question);
            history.AddAssistantMessage(turn.Result.Answer ?? $"(no answer: {turn.Result.Status})");
        }
        history.Add(UserMessage(question));
        history.AddRange(scratch);
        return history;
    }

    private ChatMessageContent UserMessage(string question)
    {
        if (!options.Vision) return new ChatMessageContent(AuthorRole.User, question);
        var items = new ChatMessageContentItemCollection { new TextContent(question) };
        foreach (var image in images.Images.Where(i => i.Parent is null).Take(4))
        {
            var mime = image.Format switch { "PNG" => "image/png", "JPEG" => "image/jpeg", "WEBP" => "image/webp", "GIF" => "image/gif", _ => "image/bmp" };
            items.Add(new ImageContent(File.ReadAllBytes(image.Path), mime));
        }
        return new ChatMessageContent(AuthorRole.User, items);
    }

    private string DescribeImages(ReActPrompt prompt) => ReActTranscript.ImageList(images.Images, images.Regions) ?? prompt.NoImages;

    private async Task<ChatMessageContent> CallLlmAsync(ChatHistory history, PromptExecutionSettings settings, Kernel? kernel, RunState run, IAgentObserver observer, CancellationToken ct)
    {
        observer.OnEvent(new LlmRequestStarted(run.LlmCalls + 1));
        var started = Stopwatch.GetTimestamp();
        try
        {
            var reply = await LlmErrors.GuardAsync(() => chat.GetChatMessageContentAsync(history, settings, kernel, ct), ct);
            run.LlmCalls++;
            run.Tokens += TokenCounter.FromMetadata(reply.Metadata);
            return reply;
        }
        finally
        {
            run.LlmMs += (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
    }

    private static AgentStep ToStep(string? thought, string tool, string input, ToolOutcome outcome) => new()
    {
        Thought = thought,
        Action = tool,
        Input = input,
        Observation = outcome.Observation,
        DurationMs = outcome.DurationMs,
        Failed = outcome.Failed,
        ImagesProduced = outcome.Result?.Images.Select(i => i.Handle).ToList() ?? [],
    };

    private static void RecordStep(RunState run, IAgentObserver observer, AgentStep step)
    {
        run.Steps.Add(step);
        run.ExpertMs += step.DurationMs;
        observer.OnEvent(new ObservationEvent(step));
    }

    private AgentRunResult Finish(RunState run, RunStatus status, string? answer, string? error) => new()
    {
        Status = status,
        Answer = answer,
        Error = error,
        Steps = [.. run.Steps],
        Images = images.Images,
        Provider = llm.Provider,
        Model = llm.Model,
        Tokens = run.Tokens,
        LlmCalls = run.LlmCalls,
        DurationMs = run.Clock.ElapsedMilliseconds,
        LlmMs = run.LlmMs,
        ExpertMs = run.ExpertMs,
        ErrorCode = status.ExitCode,
    };

    private static string RepeatMessage(string tool) =>
        $"stopped: the model asked for {tool} with the same input {RunState.MaxIdenticalActions + 1} times";

    private sealed class RunState(Stopwatch clock, StepBudget budget)
    {
        /// <summary>How often one tool may be called with identical arguments in a run before the loop stops.</summary>
        public const int MaxIdenticalActions = 3;

        private readonly Dictionary<string, int> _actions = new(StringComparer.Ordinal);

        /// <summary>Counts the action; true when it has already run <see cref="MaxIdenticalActions"/> times.</summary>
        public bool IsRepeatedTooOften(string tool, IReadOnlyDictionary<string, string> arguments, string? positional)
        {
            var key = tool.Trim().ToLowerInvariant() + "|" + positional?.Trim() + "|" + string.Join("|",
                arguments.OrderBy(a => a.Key, StringComparer.OrdinalIgnoreCase).Select(a => a.Key.ToLowerInvariant() + "=" + a.Value.Trim()));
            var count = _actions.GetValueOrDefault(key) + 1;
            _actions[key] = count;
            return count > MaxIdenticalActions;
        }

        public Stopwatch Clock { get; } = clock;
        public StepBudget Budget { get; } = budget;
        public List<AgentStep> Steps { get; } = [];
        public TokenUsage Tokens { get; set; } = new(0, 0);
        public int LlmCalls { get; set; }
        public long LlmMs { get; set; }
        public long ExpertMs { get; set; }
    }
}
