using System.Text.Json;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;
using VisionAgent.Core.Prompts;

namespace VisionAgent.Core.Agent;

/// <summary>
/// The model's native function calling (<c>--mode tools</c>): the tools go to the model as functions, and the calls
/// it asks for run here, not inside the connector, so the step budget, argument checks and error sanitising are ours.
/// </summary>
public sealed class ToolCallingLoop(LlmCaller llm, ToolInvoker invoker, ChatHistoryBuilder history, ReActPrompt prompt, AgentOptions options) : IAgentLoop
{
    public async Task<AgentRunResult> RunAsync(string question, IReadOnlyList<AgentTurn> memory, AgentRun run, IAgentObserver observer, CancellationToken cancellationToken)
    {
        var exchanges = new List<ChatMessageContent>();
        var settings = new OpenAIPromptExecutionSettings
        {
            Temperature = options.Temperature,
            MaxTokens = options.MaxTokens,
            FunctionChoiceBehavior = FunctionChoiceBehavior.Auto(autoInvoke: false),
        };
        while (!run.Budget.IsSpent)
        {
            var reply = await llm.CallAsync(history.Build(prompt, includeTools: false, memory, question, exchanges), settings, invoker.Registry.Kernel, run, observer, cancellationToken);
            var calls = FunctionCallContent.GetFunctionCalls(reply).ToList();
            if (calls.Count == 0)
                return run.Finish(RunStatus.Answered, reply.Content ?? "", null);
            exchanges.Add(reply);
            var granted = run.Budget.Take(calls.Count);
            foreach (var call in calls.Take(granted))
            {
                var toolName = ToolNameOf(call);
                var read = ToolCallArgumentReader.Read(call);
                var arguments = read.Arguments;
                if (run.IsRepeatedTooOften(toolName, arguments, null))
                    return run.RepeatedTooOften(toolName);
                var input = JsonSerializer.Serialize(arguments);
                observer.OnEvent(new ActionEvent(toolName, input));
                var outcome = read.Problem is null
                    ? await invoker.InvokeAsync(toolName, arguments, null, cancellationToken)
                    : ToolOutcome.Failure(toolName, $"the call to {toolName} was not run. {read.Problem}", arguments, 0);
                run.Record(AgentRun.StepOf(reply.Content, toolName, input, outcome) with { Repairs = read.Repairs }, observer);
                exchanges.Add(new FunctionResultContent(call, outcome.Observation).ToChatMessage());
            }
            if (run.RecordSkipped(prompt, calls.Count - granted, observer) is { } skipped)
            {
                // Every call needs a result in the history, or the endpoint refuses the next request.
                foreach (var call in calls.Skip(granted)) exchanges.Add(new FunctionResultContent(call, skipped).ToChatMessage());
            }
        }
        return run.OutOfSteps();
    }

    /// <summary>The registry's name for a call ("plugin.function" or the function alone), matched without regard to case.</summary>
    private string ToolNameOf(FunctionCallContent call)
    {
        var tool = invoker.Registry.Tools.FirstOrDefault(t =>
            string.Equals(t.Expert.Manifest.Name, call.PluginName, StringComparison.OrdinalIgnoreCase) &&
            string.Equals(t.Function.Name, call.FunctionName, StringComparison.OrdinalIgnoreCase));
        return tool?.Name ?? (call.PluginName is null ? call.FunctionName : $"{call.PluginName}.{call.FunctionName}");
    }
}
