using System.CommandLine;
using Microsoft.SemanticKernel.ChatCompletion;
using Spectre.Console;
using VisionAgent.Abstractions;
using VisionAgent.Core.Agent;
using VisionAgent.Core.Configuration;
using VisionAgent.Core.Hosting;
using VisionAgent.Core.Llm.Offline;
using VisionAgent.Plugins.Hosting;
using VisionAgent.Cli.Rendering;

namespace VisionAgent.Cli;

/// <summary>What every command builds first: configuration, console, progress and the agent host.</summary>
public sealed class CliHost : IDisposable
{
    private readonly ExternalExperts _external;

    private CliHost(ParseResult parse, AgentHost host, IAnsiConsole console, IAnsiConsole errorConsole, ProgressRouter progress, ExternalExperts external)
    {
        _external = external;
        Parse = parse;
        Host = host;
        Console = console;
        ErrorConsole = errorConsole;
        Progress = progress;
    }

    public ParseResult Parse { get; }
    public AgentHost Host { get; }
    public IAnsiConsole Console { get; }
    public IAnsiConsole ErrorConsole { get; }
    public ProgressRouter Progress { get; }
    public TextWriter Output => Parse.InvocationConfiguration.Output;
    public TextWriter Error => Parse.InvocationConfiguration.Error;

    public static CliHost Create(
        ParseResult parse,
        ConfigOverrides? overrides = null,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>? modelOverrides = null,
        bool startMcpServers = true)
    {
        var config = ConfigLoader.Load(overrides ?? GlobalOptions.Overrides(parse));
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        var console = ConsoleFactory.Create(output);
        var errorConsole = ConsoleFactory.Create(error);
        var progress = new ProgressRouter(errorConsole);
        var external = ExternalExperts.Discover(config, startMcpServers);
        var host = AgentHost.Create(new AgentHostOptions
        {
            Config = config,
            OutputDirectory = parse.GetValue(GlobalOptions.Output),
            OfflineModels = parse.GetValue(GlobalOptions.Offline),
            ModelOverrides = external.ModelOverrides(modelOverrides ?? new Dictionary<string, IReadOnlyDictionary<string, string>>()),
            Progress = progress,
            Warn = message => error.WriteLine($"warning: {message}"),
        }, expertFactory: external.CreateEntries);
        return new CliHost(parse, host, console, errorConsole, progress, external);
    }

    /// <summary>Registers the user's images; a bad one is a one-line error with exit code 3.</summary>
    public IReadOnlyList<ImageRecord> AddImages(IEnumerable<string> paths) => paths.Select(p => Host.Images.AddInput(p)).ToList();

    /// <summary>The configured LLM, or the offline planner when none is configured or <c>--llm offline</c> is given.</summary>
    public (IChatCompletionService Service, LlmIdentity Identity) CreateLlm()
    {
        if (Host.CreateConfiguredLlm() is { } configured) return configured;
        var planner = OfflinePlannerFactory.Create(Host, message => Error.WriteLine($"warning: {message}"));
        if (Host.Config.Agent.Mode == "tools")
        {
            // The offline planner speaks the ReAct text protocol only.
            Error.WriteLine("warning: the offline planner uses the react mode; --mode tools needs an LLM");
            Host.Config.Agent.Mode = "react";
        }
        return (planner, planner.Identity);
    }

    /// <summary>The first line of a run's output: which planner answers, unmistakably so when it is not an LLM.</summary>
    public static string PlannerLine(LlmIdentity identity) =>
        identity.Provider == OfflinePlanner.Provider
            ? $"Planner: offline planner, not an LLM ({identity.Model}); for open questions configure an LLM with --llm-endpoint"
            : $"Planner: LLM {identity.Provider} ({identity.Model})";

    public void Dispose()
    {
        Host.Dispose();
        _external.Dispose();
    }
}
