using Microsoft.SemanticKernel.ChatCompletion;
using VisionAgent.Abstractions;
using VisionAgent.Core.Llm;
using VisionAgent.Core.Prompts;

namespace VisionAgent.Core.Agent;

/// <summary>A question and the run that answered it, kept for multi-turn memory.</summary>
public sealed record AgentTurn(string Question, AgentRunResult Result);

/// <summary>
/// A conversation with the agent: the turns so far, the run's time limit and its result. Each question is run by the
/// loop of the configured mode (<see cref="ReActLoop"/> or <see cref="ToolCallingLoop"/>), which builds every chat
/// history through one <see cref="ChatHistoryBuilder"/>.
/// </summary>
public sealed class AgentSession
{
    private readonly List<AgentTurn> _turns = [];
    private readonly IImageStore _images;
    private readonly IAgentLoop _loop;

    public AgentSession(IChatCompletionService chat, ToolInvoker invoker, IImageStore images, PromptLibrary prompts, AgentOptions options, LlmIdentity llm)
    {
        _images = images;
        Invoker = invoker;
        Options = options;
        Llm = llm;
        var caller = new LlmCaller(chat);
        var history = new ChatHistoryBuilder(invoker.Registry, images, options);
        _loop = options.Mode == AgentMode.Tools
            ? new ToolCallingLoop(caller, invoker, history, prompts.Tools, options)
            : new ReActLoop(caller, invoker, history, prompts.ReAct, options);
    }

    public IReadOnlyList<AgentTurn> Turns => _turns;

    public IImageStore Images => _images;

    public AgentOptions Options { get; }

    public LlmIdentity Llm { get; }

    public ToolInvoker Invoker { get; }

    public void Reset()
    {
        _turns.Clear();
        _images.Clear();
    }

    public async Task<AgentRunResult> AskAsync(string question, IAgentObserver? observer, CancellationToken cancellationToken)
    {
        observer ??= NullAgentObserver.Instance;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(Options.Timeout);
        var run = new AgentRun(Options.MaxSteps, _images, Llm);
        AgentRunResult result;
        try
        {
            result = await _loop.RunAsync(question, _turns, run, observer, limit.Token);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
            var status = cancellationToken.IsCancellationRequested ? RunStatus.Cancelled : RunStatus.Timeout;
            var message = status == RunStatus.Timeout ? $"the run took longer than {Options.Timeout.TotalSeconds:0} s" : "cancelled";
            result = run.Finish(status, null, message);
        }
        catch (LlmException ex)
        {
            result = run.Finish(RunStatus.Error, null, ex.Message) with { ErrorCode = ExitCodes.LlmFailure };
        }
        _turns.Add(new AgentTurn(question, result));
        observer.OnEvent(new AnswerEvent(result));
        return result;
    }
}
