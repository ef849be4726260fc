using System.CommandLine;
using Microsoft.SemanticKernel.ChatCompletion;
using Spectre.Console;
using VisionAgent.Abstractions;
using VisionAgent.Cli.Rendering;
using VisionAgent.Core.Agent;
using VisionAgent.Core.Configuration;
using VisionAgent.Core.Llm.Offline;
using VisionAgent.Hosting;

namespace VisionAgent.Cli;

/// <summary>What every command builds first: configuration, console, progress and the agent host.</summary>
public sealed class CliHost : IAsyncDisposable
{
    private CliHost(ParseResult parse, AgentHost host, IAnsiConsole console, ProgressRouter progress)
    {
        Parse = parse;
        Host = host;
        Console = console;
        Progress = progress;
    }

    public ParseResult Parse { get; }
    public AgentHost Host { get; }
    public IAnsiConsole Console { get; }
    public ProgressRouter Progress { get; }
    public TextWriter Output => Parse.InvocationConfiguration.Output;
    public TextWriter Error => Parse.InvocationConfiguration.Error;

    public static async Task<CliHost> CreateAsync(
        ParseResult parse,
        CancellationToken cancellationToken,
        ConfigOverrides? overrides = null,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>? modelOverrides = null,
        bool startMcpServers = true)
    {
        // Before the configuration and the console, so that it overlaps them; the host awaits it.
        _ = StartupWarmUp.Start();
        var config = ConfigLoader.Load(overrides ?? GlobalOptions.Overrides(parse));
        var console = ConsoleFactory.Create(parse.InvocationConfiguration.Output);
        var progress = new ProgressRouter(() => ConsoleFactory.Create(parse.InvocationConfiguration.Error));
        var options = HostOptions(parse, config) with
        {
            ModelOverrides = modelOverrides ?? new Dictionary<string, IReadOnlyDictionary<string, string>>(),
            Progress = progress,
            StartMcpServers = startMcpServers,
        };
        var host = await AgentHost.CreateAsync(options, cancellationToken);
        return new CliHost(parse, host, console, progress);
    }

    /// <summary>The host options the global flags ask for; every command's host, and each evaluation task's, starts from these.</summary>
    public static AgentHostOptions HostOptions(ParseResult parse, VisionAgentConfig config)
    {
        var error = parse.InvocationConfiguration.Error;
        return new AgentHostOptions
        {
            Config = config,
            OutputDirectory = parse.GetValue(GlobalOptions.Output),
            OfflineModels = parse.GetValue(GlobalOptions.Offline),
            Warn = message => error.WriteLine($"warning: {message}"),
        };
    }

    /// <summary>Registers the user's images; a bad one is a one-line error with exit code 3.</summary>
    public IReadOnlyList<ImageRecord> AddImages(IEnumerable<string> paths) => paths.Select(p => Host.Images.AddInput(p)).ToList();

    /// <summary>The configured LLM, or the offline planner when none is configured or <c>--llm offline</c> is given.</summary>
    public (IChatCompletionService Service, LlmIdentity Identity) CreateLlm() =>
        Host.CreateLlm(message => Error.WriteLine($"warning: {message}"));

    /// <summary>The first line of a run's output: which planner answers, unmistakably so when it is not an LLM.</summary>
    public static string PlannerLine(LlmIdentity identity) =>
        identity.Provider == OfflinePlanner.Provider
            ? $"Planner: offline planner, not an LLM ({identity.Model}); for open questions configure an LLM with --llm-endpoint"
            : $"Planner: LLM {identity.Provider} ({identity.Model})";

    public ValueTask DisposeAsync() => Host.DisposeAsync();
}
