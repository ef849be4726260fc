using System.Diagnostics;
using Microsoft.SemanticKernel.ChatCompletion;
using VisionAgent.Abstractions;
using VisionAgent.Core.Agent;
using VisionAgent.Core.Llm;
using VisionAgent.Evaluation.Recording;
using VisionAgent.Evaluation.Reports;
using VisionAgent.Evaluation.Scoring;
using VisionAgent.Evaluation.Tasks;
using VisionAgent.Hosting;
using VisionAgent.Onnx;

namespace VisionAgent.Evaluation.Running;

/// <summary>The LLM a task talks to, with the name reports give it.</summary>
public sealed record TaskLlm(IChatCompletionService Chat, LlmIdentity Identity);

/// <summary>How a suite runs.</summary>
public sealed record SuiteOptions
{
    /// <summary>
    /// The host every task gets, as every other command builds it (configuration, experts, plugin folders, MCP servers);
    /// each task's copy gets its own output folder and session id, the suite's shared ONNX sessions and its interceptor.
    /// </summary>
    public required AgentHostOptions Host { get; init; }

    /// <summary>The agent's LLM for a task (live and record modes); each task may get its own instance.</summary>
    public Func<EvalTask, TaskLlm>? Llm { get; init; }

    /// <summary>The judge's LLM for a task; null uses <see cref="Llm"/>.</summary>
    public Func<EvalTask, IChatCompletionService>? Judge { get; init; }

    public string? RecordDirectory { get; init; }
    public string? ReplayDirectory { get; init; }

    /// <summary>With replay: answer tool calls from the cassettes instead of running experts.</summary>
    public bool FrozenExperts { get; init; }

    public int Parallelism { get; init; } = 1;

    /// <summary>Where each task's produced images go (a subfolder per task).</summary>
    public required string WorkDirectory { get; init; }

    public double MinPass { get; init; } = 1.0;

    /// <summary>Run only this shard's tasks (by a stable hash of the task id); null runs them all.</summary>
    public SuiteShard? Shard { get; init; }

    /// <summary>Called as each task starts (from worker threads).</summary>
    public Action<EvalTask>? TaskStarted { get; init; }

    /// <summary>Called as each task finishes (from worker threads).</summary>
    public Action<TaskReport>? TaskFinished { get; init; }

    public Action<string>? Warn { get; init; }

    public string Mode => ReplayDirectory is not null ? FrozenExperts ? "replay-frozen" : "replay" : RecordDirectory is not null ? "record" : "live";
}

/// <summary>
/// Runs a suite: each task in its own image store and agent session (its own <see cref="AgentHost"/>), with one
/// ONNX session pool shared by all so expert models load once per process; tasks run in parallel up to
/// <see cref="SuiteOptions.Parallelism"/>, and the report lists them in input order whatever finished first.
/// </summary>
public sealed class SuiteRunner(SuiteOptions options)
{
    private LlmIdentity? _identity;

    public async Task<SuiteReport> RunAsync(IReadOnlyList<EvalTask> suite, CancellationToken cancellationToken)
    {
        var tasks = options.Shard?.Select(suite) ?? suite;
        if (options.ReplayDirectory is null && options.Llm is null)
            throw new LlmException("no LLM is configured for the evaluation: configure one, or replay cassettes with --replay DIR");
        if (options.FrozenExperts && options.ReplayDirectory is null)
            throw new BadInputException("--frozen-experts needs --replay DIR");
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        using var onnx = options.Host.SharedOnnx is null ? AgentHost.CreateOnnxPool(options.Host.Config, options.Warn) : null;
        var external = options.Host.External is null
            ? await AgentHost.DiscoverExternalExpertsAsync(options.Host.Config, options.Host.StartMcpServers, options.Host.ExpertAssemblies, cancellationToken)
            : null;
        await using var ownedExternal = external;
        var template = options.Host with { SharedOnnx = options.Host.SharedOnnx ?? onnx, External = options.Host.External ?? external };
        var reports = new TaskReport[tasks.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, tasks.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Parallelism), CancellationToken = cancellationToken },
            async (index, ct) =>
            {
                options.TaskStarted?.Invoke(tasks[index]);
                reports[index] = await RunTaskAsync(tasks[index], template, ct);
                options.TaskFinished?.Invoke(reports[index]);
            });
        var llm = _identity;
        return new SuiteReport
        {
            Mode = options.Mode,
            Provider = llm?.Provider ?? (options.ReplayDirectory is not null ? "replay" : "none"),
            Model = llm?.Model ?? (options.ReplayDirectory is not null ? Path.GetFileName(Path.TrimEndingDirectorySeparator(options.ReplayDirectory)) : "none"),
            StartedAt = started,
            DurationMs = clock.ElapsedMilliseconds,
            MinPass = options.MinPass,
            Shard = options.Shard?.ToString(),
            Tasks = reports,
            Summary = SuiteSummary.From(reports),
        };
    }

    private async Task<TaskReport> RunTaskAsync(EvalTask task, AgentHostOptions template, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var turns = new List<TurnReport>();
        var cursor = new CassetteCursor();
        var judgeCursor = new CassetteCursor();
        var work = Path.Combine(options.WorkDirectory, task.Id);
        if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
        TaskReport Report(string status, string? error = null, Divergence? divergence = null) => new()
        {
            Id = task.Id,
            File = task.File,
            Line = task.Line,
            Tags = task.Tags,
            Status = status,
            Turns = [.. turns],
            Error = error,
            Divergence = divergence,
            DurationMs = clock.ElapsedMilliseconds,
        };

        try
        {
            var cassette = options.ReplayDirectory is { } replayDirectory
                ? await CassetteStore.LoadAsync(replayDirectory, task.Id, cancellationToken)
                : new Cassette { Task = task.Id };
            TaskLlm llm;
            IChatCompletionService judge;
            Func<AgentHost, IToolCallInterceptor?>? interceptor = null;
            if (options.ReplayDirectory is not null)
            {
                llm = new TaskLlm(new ReplayChatService(cassette.LlmCalls, cursor), new LlmIdentity(cassette.Provider, cassette.Model));
                judge = new ReplayChatService(cassette.JudgeCalls, judgeCursor, "judge_request");
                if (options.FrozenExperts) interceptor = h => new FrozenToolInterceptor(cassette.ToolCalls, cursor, h.Images);
            }
            else
            {
                var live = options.Llm!(task);
                _identity ??= live.Identity;
                var liveJudge = options.Judge?.Invoke(task) ?? live.Chat;
                cassette.Provider = live.Identity.Provider;
                cassette.Model = live.Identity.Model;
                if (options.RecordDirectory is not null)
                {
                    llm = live with { Chat = new RecordingChatService(live.Chat, cassette.LlmCalls, cursor) };
                    judge = new RecordingChatService(liveJudge, cassette.JudgeCalls, judgeCursor);
                    interceptor = h => new RecordingToolInterceptor(cassette.ToolCalls, cursor, h.Loader);
                }
                else
                {
                    llm = live;
                    judge = liveJudge;
                }
            }

            await using var host = await AgentHost.CreateAsync(template with
            {
                OutputDirectory = Path.Combine(work, "images"),
                OfflineModels = template.OfflineModels || options.FrozenExperts,
                SessionId = task.Id,
                Interceptor = interceptor,
            }, cancellationToken);
            var session = host.CreateSession(llm.Chat, llm.Identity, agentOptions: host.CreateAgentOptions() with { MaxSteps = task.MaxSteps ?? host.Config.Agent.MaxSteps });
            foreach (var image in task.Images) host.Images.AddInput(image);

            for (var i = 0; i < task.Turns.Count; i++)
            {
                var turn = task.Turns[i];
                cursor.StartTurn(i + 1);
                judgeCursor.StartTurn(i + 1);
                var result = await session.AskAsync(turn.Ask, null, cancellationToken);
                var checks = new List<CheckResult>(TurnScorer.CheckRun(turn, result, host.Loader));
                if (turn.Expect is JudgeExpectation rubric)
                {
                    checks.Insert(0, await new LlmJudge(judge).ScoreAsync(turn.Ask, rubric, result.Answer, cancellationToken));
                }
                else
                {
                    checks.Insert(0, AnswerMatcher.Match(turn.Expect, result.Answer));
                }
                if (options.ReplayDirectory is not null && i < cassette.Turns.Count)
                {
                    var recorded = cassette.Turns[i].Answer;
                    checks.Add(new CheckResult("replayed answer", recorded == result.Answer, recorded == result.Answer ? "as recorded" : $"recorded '{recorded}'"));
                }
                turns.Add(new TurnReport
                {
                    Ask = turn.Ask,
                    Expectation = string.Join("; ", turn.Images.Select(i => "produces " + i.Describe()).Prepend(turn.Expect.Describe())),
                    Images = TurnScorer.ProducedImages(result).Select(i => new ProducedImage
                    {
                        Handle = i.Handle, Kind = i.Kind, Path = i.Path, Width = i.Width, Height = i.Height, Parent = i.Parent, Operation = i.Operation,
                    }).ToList(),
                    Answer = result.Answer,
                    Status = result.Status,
                    Passed = checks.All(c => c.Passed),
                    Checks = checks,
                    Steps = result.LlmCalls,
                    Tools = result.Steps.Where(s => s.Action is not null).Select(s => s.Action!).ToList(),
                    PromptTokens = result.Tokens.Prompt,
                    CompletionTokens = result.Tokens.Completion,
                    DurationMs = result.DurationMs,
                });
                if (options.RecordDirectory is not null)
                    cassette.Turns.Add(new CassetteTurn { Ask = turn.Ask, Status = result.Status, Answer = result.Answer });
            }

            if (options.RecordDirectory is { } recordDirectory)
                await CassetteStore.SaveAsync(recordDirectory, cassette, cancellationToken);
            var llmError = turns.Count > 0 && turns.All(t => t.Status == RunStatus.Error) ? "every turn ended in an error" : null;
            return Report(turns.All(t => t.Passed) ? TaskOutcome.Passed : llmError is null ? TaskOutcome.Failed : TaskOutcome.Error);
        }
        catch (ReplayDivergenceException ex)
        {
            return Report(TaskOutcome.Diverged, divergence: ex.Divergence);
        }
        catch (VisionAgentException ex)
        {
            return Report(TaskOutcome.Error, error: ex.Message);
        }
    }
}
