using System.Diagnostics;
using System.Globalization;
using VisionAgent.Abstractions;
using VisionAgent.Core.Prompts;

namespace VisionAgent.Core.Agent;

/// <summary>
/// The bookkeeping of one run, whichever loop drives it: the step budget, the steps taken, LLM calls, tokens and
/// time, the count of identical actions, and the result it ends with.
/// </summary>
public sealed class AgentRun(int maxSteps, IImageStore images, LlmIdentity llm)
{
    /// <summary>How often one tool may be called with identical arguments in a run before the loop stops.</summary>
    public const int MaxIdenticalActions = 3;

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Dictionary<string, int> _actions = new(StringComparer.Ordinal);
    private readonly List<AgentStep> _steps = [];

    public StepBudget Budget { get; } = new(maxSteps);

    public IReadOnlyList<AgentStep> Steps => _steps;

    public TokenUsage Tokens { get; private set; } = new(0, 0);

    public int LlmCalls { get; private set; }

    public long LlmMs { get; private set; }

    public long ExpertMs { get; private set; }

    /// <summary>Counts an LLM reply that arrived and the tokens it used.</summary>
    public void CountReply(TokenUsage tokens)
    {
        LlmCalls++;
        Tokens += tokens;
    }

    /// <summary>Adds time spent waiting for the LLM, whether or not a reply came.</summary>
    public void AddLlmTime(TimeSpan elapsed) => LlmMs += (long)elapsed.TotalMilliseconds;

    /// <summary>Counts the action; true when it has already run <see cref="MaxIdenticalActions"/> times.</summary>
    public bool IsRepeatedTooOften(string tool, IReadOnlyDictionary<string, string> arguments, string? positional)
    {
        var key = tool.Trim().ToLowerInvariant() + "|" + positional?.Trim() + "|" + string.Join("|",
            arguments.OrderBy(a => a.Key, StringComparer.OrdinalIgnoreCase).Select(a => a.Key.ToLowerInvariant() + "=" + a.Value.Trim()));
        var count = _actions.GetValueOrDefault(key) + 1;
        _actions[key] = count;
        return count > MaxIdenticalActions;
    }

    /// <summary>Keeps a step and tells the observer.</summary>
    public void Record(AgentStep step, IAgentObserver observer)
    {
        _steps.Add(step);
        ExpertMs += step.DurationMs;
        observer.OnEvent(new ObservationEvent(step));
    }

    /// <summary>Records the actions of a reply that the step budget did not allow; returns the note, or null when none were skipped.</summary>
    public string? RecordSkipped(ReActPrompt prompt, int skipped, IAgentObserver observer)
    {
        if (skipped <= 0) return null;
        var note = PromptLibrary.Fill(prompt.SkippedActions, new Dictionary<string, string>
        {
            ["skipped"] = skipped.ToString(CultureInfo.InvariantCulture),
            ["max_steps"] = Budget.Max.ToString(CultureInfo.InvariantCulture),
        }).Trim();
        Record(new AgentStep { Observation = note, Failed = true }, observer);
        return note;
    }

    /// <summary>The step of one tool call.</summary>
    public static AgentStep StepOf(string? thought, string tool, string input, ToolOutcome outcome) => new()
    {
        Thought = thought,
        Action = tool,
        Input = input,
        Observation = outcome.Observation,
        DurationMs = outcome.DurationMs,
        Failed = outcome.Failed,
        ImagesProduced = outcome.Result?.Images.Select(i => i.Handle).ToList() ?? [],
    };

    public AgentRunResult Finish(RunStatus status, string? answer, string? error) => new()
    {
        Status = status,
        Answer = answer,
        Error = error,
        Steps = [.. _steps],
        Images = images.Images,
        Provider = llm.Provider,
        Model = llm.Model,
        Tokens = Tokens,
        LlmCalls = LlmCalls,
        DurationMs = _clock.ElapsedMilliseconds,
        LlmMs = LlmMs,
        ExpertMs = ExpertMs,
        ErrorCode = status.ExitCode,
    };

    /// <summary>The end of a run whose budget is spent without a final answer.</summary>
    public AgentRunResult OutOfSteps() => Finish(RunStatus.StepLimit, null, $"stopped after {Budget.Max} steps without a final answer");

    /// <summary>The end of a run whose model keeps asking for the same call.</summary>
    public AgentRunResult RepeatedTooOften(string tool) =>
        Finish(RunStatus.StepLimit, null, $"stopped: the model asked for {tool} with the same input {MaxIdenticalActions + 1} times");
}
