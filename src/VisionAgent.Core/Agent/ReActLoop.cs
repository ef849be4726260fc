using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;
using VisionAgent.Core.Prompts;

namespace VisionAgent.Core.Agent;

/// <summary>
/// The ReAct text protocol: the model writes Thought / Action / Action Input (or a Final Answer), the parser reads
/// it, the actions run, and their observations go back as the next user message, until an answer or a limit.
/// </summary>
public sealed class ReActLoop(LlmCaller llm, ToolInvoker invoker, ChatHistoryBuilder history, ReActPrompt prompt, AgentOptions options) : IAgentLoop
{
    private readonly ReActTranscript _transcript = new(prompt);

    public async Task<AgentRunResult> RunAsync(string question, IReadOnlyList<AgentTurn> memory, AgentRun run, IAgentObserver observer, CancellationToken cancellationToken)
    {
        var exchanges = new List<ChatMessageContent>();
        var settings = new OpenAIPromptExecutionSettings
        {
            Temperature = options.Temperature,
            MaxTokens = options.MaxTokens,
            StopSequences = [.. _transcript.StopSequences],
        };
        var unusableInARow = 0;

        while (!run.Budget.IsSpent)
        {
            var conversation = history.Build(prompt, includeTools: true, memory, question, exchanges);
            var reply = options.Stream
                ? await llm.StreamAsync(conversation, settings, _transcript.StopSequences, options.StreamRetries, run, observer, cancellationToken)
                : await llm.CallAsync(conversation, settings, kernel: null, run, observer, cancellationToken);
            var text = reply.Content ?? "";
            var parsed = ReActParser.Parse(text);
            if (parsed.Thought is not null) observer.OnEvent(new ThoughtEvent(parsed.Thought));
            exchanges.Add(new ChatMessageContent(AuthorRole.Assistant, parsed.Text.Length > 0 ? parsed.Text : text));

            if (parsed.FinalAnswer is not null)
                return run.Finish(RunStatus.FromMetadata(reply.Metadata) ?? RunStatus.Answered, parsed.FinalAnswer, null);

            if (parsed.Error is not null)
            {
                unusableInARow++;
                // A model that twice answers in plain prose is answering: take its words rather than loop.
                if (unusableInARow >= 2 && parsed.Actions.Count == 0 && !string.IsNullOrWhiteSpace(text))
                    return run.Finish(RunStatus.Answered, text.Trim(), null);
                run.Budget.Take(1);
                var correction = PromptLibrary.Fill(prompt.Correction, new Dictionary<string, string> { ["problem"] = parsed.Error }).Trim();
                run.Record(new AgentStep { Thought = parsed.Thought, Observation = correction, Failed = true }, observer);
                exchanges.Add(new ChatMessageContent(AuthorRole.User, _transcript.Observation(correction)));
                continue;
            }
            unusableInARow = 0;

            var observations = new List<(string Tool, string Text)>();
            // A reply without actions still takes a step, so no reply can keep the loop going for free.
            var granted = run.Budget.Take(Math.Max(parsed.Actions.Count, 1));
            foreach (var action in parsed.Actions.Take(granted))
            {
                if (run.IsRepeatedTooOften(action.Tool, action.Arguments, action.Positional))
                    return run.RepeatedTooOften(action.Tool);
                observer.OnEvent(new ActionEvent(action.Tool, action.RawInput));
                var outcome = await invoker.InvokeAsync(action.Tool, action.Arguments, action.Positional, cancellationToken);
                var repairs = parsed.Repairs.Where(r => r.StartsWith(action.Tool + ": ", StringComparison.Ordinal)).ToList();
                run.Record(AgentRun.StepOf(parsed.Thought, action.Tool, action.RawInput, outcome) with { Repairs = repairs }, observer);
                observations.Add((outcome.Tool, outcome.Observation));
            }
            var observed = _transcript.Observations(observations);
            if (run.RecordSkipped(prompt, parsed.Actions.Count - granted, observer) is { } skipped)
                observed += (observed.Length > 0 ? "\n" : "") + _transcript.Observation(skipped);
            exchanges.Add(new ChatMessageContent(AuthorRole.User, observed));
        }
        return run.OutOfSteps();
    }
}
