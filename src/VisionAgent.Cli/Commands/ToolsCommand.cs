using System.CommandLine;
using Spectre.Console;
using VisionAgent.Cli.Rendering;
using VisionAgent.Core.Experts;

namespace VisionAgent.Cli.Commands;

/// <summary><c>visionagent tools [--json]</c>: every expert, its functions and parameters, and whether it is ready.</summary>
public static class ToolsCommand
{
    public static readonly Option<bool> Json = new("--json") { Description = "Print JSON" };

    public static Command Create()
    {
        var command = new Command("tools", "List the experts, their functions and parameters, and what each still needs") { Json };
        command.SetAction(RunAsync);
        return command;
    }

    /// <param name="Needs">Null when the function can run; else the models it needs and the command that installs them.</param>
    public sealed record ToolInfo(string Name, string Description, IReadOnlyList<ParameterInfo> Parameters, string? Needs)
    {
        public bool Ready => Needs is null;
    }
    public sealed record ParameterInfo(string Name, string? Description, bool Required, string? Type);
    public sealed record ExpertInfo(string Name, string Description, string Origin, string Status, string? Detail, IReadOnlyList<ToolInfo> Tools);

    public static IReadOnlyList<ExpertInfo> Describe(ExpertRegistry registry) => registry.Experts.Select(expert =>
    {
        var tools = registry.Tools.Where(t => t.Expert == expert).Select(t => new ToolInfo(
            t.Name,
            t.Function.Description,
            t.Parameters.Select(p => new ParameterInfo(p.Name, p.Description, p.IsRequired, p.ParameterType?.Name)).ToList(),
            registry.Unavailable(t))).ToList();
        string status;
        string? detail = null;
        if (expert.LoadError is not null)
        {
            status = "broken";
            detail = expert.LoadError;
        }
        else
        {
            var missing = registry.MissingModels(expert.Manifest);
            var fetchOnUse = expert.Manifest.Models.Where(m => m.Required && m.AutoFetch && !registry.Models.IsAvailable(expert.Manifest.Name, m.Name)).ToList();
            if (missing.Count > 0)
            {
                status = "needs models";
                detail = $"missing {string.Join(", ", missing)}: run visionagent models fetch {expert.Manifest.Name}, or give --model PATH / experts.{expert.Manifest.Name}.models in visionagent.yaml";
            }
            else if (fetchOnUse.Count > 0)
            {
                status = "ready";
                detail = $"fetches {string.Join(", ", fetchOnUse.Select(m => m.Name))} on first use (or now: visionagent models fetch {expert.Manifest.Name})";
            }
            else
            {
                status = "ready";
            }
            var partial = tools.Where(t => !t.Ready).ToList();
            if (missing.Count == 0 && partial.Count > 0)
            {
                var notes = string.Join("; ", partial.Select(t => $"{FunctionName(t.Name)} {t.Needs}"));
                detail = detail is null ? notes : $"{detail}; {notes}";
            }
        }
        return new ExpertInfo(expert.Manifest.Name, expert.Manifest.Description, expert.Origin, status, detail, tools);
    }).ToList();

    private static string FunctionName(string toolName) =>
        toolName.Contains('.', StringComparison.Ordinal) ? toolName[(toolName.IndexOf('.', StringComparison.Ordinal) + 1)..] : toolName;

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        await using var cli = await CliHost.CreateAsync(parse, cancellationToken);
        var experts = Describe(cli.Host.Registry);
        if (parse.GetValue(Json))
        {
            await cli.Output.WriteLineAsync(JsonOutput.Serialize(experts));
            return 0;
        }
        foreach (var expert in experts)
        {
            var colour = expert.Status switch { "ready" => "green", "broken" => "red", _ => "yellow" };
            cli.Console.MarkupLine($"[bold]{Markup.Escape(expert.Name)}[/] [{colour}]{expert.Status}[/] [grey]({Markup.Escape(expert.Origin)})[/]");
            cli.Console.MarkupLine($"  {Markup.Escape(expert.Description)}");
            if (expert.Detail is not null) cli.Console.MarkupLine($"  [grey]{Markup.Escape(expert.Detail)}[/]");
            foreach (var tool in expert.Tools)
            {
                var parameters = string.Join(", ", tool.Parameters.Select(p => p.Required ? p.Name : p.Name + "?"));
                var needs = tool.Ready || expert.Status != "ready" ? "" : $" [yellow]{Markup.Escape(tool.Needs!)}[/]";
                cli.Console.MarkupLine($"  - [cyan]{Markup.Escape(tool.Name)}[/]({Markup.Escape(parameters)}){needs}");
            }
        }
        return 0;
    }
}
