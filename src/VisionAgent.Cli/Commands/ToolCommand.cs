using System.CommandLine;
using Spectre.Console;
using VisionAgent.Abstractions;
using VisionAgent.Cli.Completion;
using VisionAgent.Cli.Rendering;
using VisionAgent.Core.Agent;
using VisionAgent.Core.Experts;
using VisionAgent.ModelStore;

namespace VisionAgent.Cli.Commands;

/// <summary><c>visionagent tool NAME --image PATH [--arg key=value]... [--model PATH|name=PATH]... [--json]</c>: one expert, no LLM.</summary>
public static class ToolCommand
{
    public static readonly Argument<string> Name = new("name")
    {
        // A help name keeps help from listing the completions, which would build the whole host.
        HelpName = "name",
        Description = "The tool (see visionagent tools), e.g. ocr or edit.background",
    };
    public static readonly Option<string[]> Images = new("--image", "-i") { HelpName = "PATH", Description = "Input image (repeatable): img1, img2, ..." };
    public static readonly Option<string[]> Args = new("--arg", "-a") { HelpName = "KEY=VALUE", Description = "Argument key=value (repeatable); op=NAME picks the function of a multi-function expert" };
    public static readonly Option<string[]> Models = new("--model", "-m") { HelpName = "PATH|NAME=PATH", Description = "Model file: PATH for single-file experts, name=PATH otherwise (repeatable)" };
    public static readonly Option<bool> Json = new("--json") { Description = "Print the full structured result as JSON" };

    // Once per process: the symbols are shared by every command tree built (tests build many, in parallel).
    static ToolCommand() => Name.CompletionSources.Add(ExpertCompletions.ToolNames);

    public static Command Create()
    {
        var command = new Command("tool", "Run one expert directly, without an LLM") { Name, Images, Args, Models, Json };
        command.SetAction(RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var toolName = parse.GetValue(Name)!;
        var arguments = ParseArguments(parse.GetValue(Args) ?? []);
        var expertName = toolName.Split('.', 2)[0];
        var modelArguments = parse.GetValue(Models) ?? [];

        await using var cli = await CliHost.CreateAsync(parse, cancellationToken);
        var expert = cli.Host.Registry.Experts.FirstOrDefault(e => string.Equals(e.Manifest.Name, expertName, StringComparison.OrdinalIgnoreCase))
            ?? throw new BadInputException($"unknown tool '{toolName}'; known: {string.Join(", ", cli.Host.Registry.Tools.Select(t => t.Name))}");
        foreach (var argument in modelArguments)
        {
            var (model, path) = ModelCache.ParseModelArgument(expert.Manifest, argument);
            cli.Host.Models.UseFile(expert.Manifest.Name, model, path);
        }

        var inputs = cli.AddImages(parse.GetValue(Images) ?? []);
        var tool = cli.Host.Registry.Resolve(toolName, arguments)
            ?? throw new BadInputException(UnknownFunction(cli.Host.Registry, toolName));
        string? positional = null;
        if (inputs.Count > 0 && !arguments.ContainsKey("image")) positional = inputs[0].Handle;

        var outcome = await cli.Host.Invoker.InvokeAsync(tool.Name, arguments, positional, cancellationToken);
        if (parse.GetValue(Json))
        {
            await cli.Output.WriteLineAsync(JsonOutput.Serialize(new
            {
                tool = outcome.Tool,
                ok = !outcome.Failed,
                observation = cli.Host.Marker.Unmark(outcome.Observation),
                data = outcome.Result?.Data,
                images = JsonOutput.Images(outcome.Result?.Images ?? []),
                duration_ms = outcome.DurationMs,
            }));
        }
        else
        {
            var renderer = new TraceRenderer(cli.Console, cli.Host.Marker);
            renderer.RenderObservation(new AgentStep { Action = outcome.Tool, Observation = outcome.Observation, DurationMs = outcome.DurationMs, Failed = outcome.Failed });
            foreach (var image in outcome.Result?.Images ?? [])
                cli.Console.MarkupLine($"[grey]{image.Handle} ({Markup.Escape(image.Kind)}):[/] {Markup.Escape(image.Path)}");
        }
        if (outcome.Failed) await cli.Error.WriteLineAsync("error: " + (outcome.Problem ?? outcome.Observation).Split('\n')[0]);
        return outcome.ExitCode;
    }

    private static string UnknownFunction(ExpertRegistry registry, string toolName)
    {
        var expertTools = registry.Tools.Where(t => t.Name.StartsWith(toolName + ".", StringComparison.OrdinalIgnoreCase)).Select(t => t.Name.Split('.')[1]).ToList();
        return expertTools.Count > 0
            ? $"{toolName} has several functions: pick one with --arg op=NAME ({string.Join(", ", expertTools)})"
            : $"unknown tool '{toolName}'; known: {string.Join(", ", registry.Tools.Select(t => t.Name))}";
    }

    public static Dictionary<string, string> ParseArguments(IEnumerable<string> pairs)
    {
        var arguments = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in pairs)
        {
            var i = pair.IndexOf('=', StringComparison.Ordinal);
            if (i <= 0) throw new BadInputException($"--arg takes key=value, got '{pair}'");
            arguments[ReActParser.NormaliseKey(pair[..i])] = pair[(i + 1)..];
        }
        return arguments;
    }
}
