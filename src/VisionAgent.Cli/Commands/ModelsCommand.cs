using VisionAgent.ModelStore;
using System.CommandLine;
using Spectre.Console;
using VisionAgent.Abstractions;
using VisionAgent.Cli.Rendering;

namespace VisionAgent.Cli.Commands;

/// <summary><c>visionagent models list|fetch|verify</c>: the model cache.</summary>
public static class ModelsCommand
{
    public static readonly Option<bool> Json = new("--json") { Description = "Print JSON" };
    public static readonly Argument<string[]> Experts = new("expert") { Description = "Experts (default: all)", Arity = ArgumentArity.ZeroOrMore };
    public static readonly Option<string?> Group = new("--group") { Description = "Only the files of one optional backend (for example mobilesam)" };

    public static Command Create()
    {
        var list = new Command("list", "What each expert needs, what is present, sizes and licences") { Json };
        list.SetAction(ListAsync);
        var fetch = new Command("fetch", "Download experts' models (verified, atomic, idempotent)") { Experts, Group, Json };
        fetch.SetAction(FetchAsync);
        var verify = new Command("verify", "Check every present model against its checksum") { Json };
        verify.SetAction(VerifyAsync);
        return new Command("models", "Manage the model cache ($VISIONAGENT_MODELS)") { list, fetch, verify };
    }

    private static async Task<int> ListAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        await using var cli = await CliHost.CreateAsync(parse, cancellationToken);
        var files = cli.Host.Models.List();
        if (parse.GetValue(Json))
        {
            await cli.Output.WriteLineAsync(JsonOutput.Serialize(new { cache = cli.Host.Models.Directory, models = files }));
            return 0;
        }
        var table = new Table().AddColumns("expert", "model", "status", "size", "licence", "source");
        foreach (var file in files)
        {
            var status = file.Present ? (file.Overridden ? "[green]configured[/]" : "[green]present[/]")
                : file.Required ? (file.AutoFetch ? "[yellow]fetched on first use[/]" : "[red]missing[/]") : "[grey]optional[/]";
            var size = (file.Size ?? file.ExpectedSize) is { } bytes ? $"{bytes / 1048576.0:0.0} MiB" : "?";
            table.AddRow(Markup.Escape(file.Expert), Markup.Escape(file.Name + (file.Group is null ? "" : $" ({file.Group})")), status, size,
                Markup.Escape(file.License ?? ""), Markup.Escape(SourceText(file)));
        }
        cli.Console.MarkupLine($"[grey]cache: {Markup.Escape(cli.Host.Models.Directory)}[/]");
        cli.Console.Write(table);
        return 0;
    }

    /// <summary>The source that served a cached file, else the first one tried, and how many follow it.</summary>
    private static string SourceText(ModelFileStatus file) =>
        file.ServedBy is { } served ? $"served by {served}"
        : file.SourceCount > 1 ? $"{file.Source} (+{file.SourceCount - 1} fallback)"
        : file.Source;

    private static async Task<int> FetchAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        await using var cli = await CliHost.CreateAsync(parse, cancellationToken);
        var requested = parse.GetValue(Experts) is { Length: > 0 } names ? names : cli.Host.Models.Manifests.Where(m => m.Models.Count > 0).Select(m => m.Name).ToArray();
        var group = parse.GetValue(Group);
        var results = new List<object>();
        foreach (var expert in requested)
        {
            if (!cli.Host.Models.Manifests.Any(m => string.Equals(m.Name, expert, StringComparison.OrdinalIgnoreCase)))
                throw new BadInputException($"unknown expert '{expert}'; experts with models: {string.Join(", ", cli.Host.Models.Manifests.Where(m => m.Models.Count > 0).Select(m => m.Name))}");
            var fetched = await cli.Host.Models.FetchAsync(expert, group, cancellationToken);
            results.AddRange(fetched);
            if (!parse.GetValue(Json))
            {
                foreach (var file in fetched)
                    cli.Console.MarkupLine($"{(file.Downloaded ? "[green]fetched[/]" : "[grey]present[/]")} {Markup.Escape(file.Expert)}/{Markup.Escape(file.Name)} {file.Size / 1048576.0:0.0} MiB {Markup.Escape(file.Path)}");
            }
        }
        if (parse.GetValue(Json)) await cli.Output.WriteLineAsync(JsonOutput.Serialize(results));
        return 0;
    }

    private static async Task<int> VerifyAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        await using var cli = await CliHost.CreateAsync(parse, cancellationToken);
        var results = await cli.Host.Models.VerifyAsync(null, cancellationToken);
        if (parse.GetValue(Json)) await cli.Output.WriteLineAsync(JsonOutput.Serialize(results));
        else
        {
            foreach (var r in results)
                cli.Console.MarkupLine($"{(r.Ok ? "[green]ok[/]" : "[red]" + r.Outcome + "[/]")} {Markup.Escape(r.Expert)}/{Markup.Escape(r.Name)} {Markup.Escape(r.Path)}");
        }
        return results.All(r => r.Ok) ? 0 : ExitCodes.BadInput;
    }
}
