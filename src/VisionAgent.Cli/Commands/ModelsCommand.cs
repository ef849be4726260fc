using VisionAgent.ModelStore;
using System.CommandLine;
using Spectre.Console;
using VisionAgent.Abstractions;
using VisionAgent.Cli.Completion;
using VisionAgent.Cli.Rendering;

namespace VisionAgent.Cli.Commands;

/// <summary><c>visionagent models list|fetch|verify</c>: the model cache.</summary>
public static class ModelsCommand
{
    public static readonly Option<bool> Json = new("--json") { Description = "Print JSON" };
    public static readonly Argument<string[]> Experts = new("expert") { HelpName = "expert", Description = "Experts (default: all)", Arity = ArgumentArity.ZeroOrMore };
    public static readonly Option<string?> Group = new("--group") { HelpName = "NAME", Description = "Only the files of one optional backend (for example mobilesam)" };

    // Once per process: the symbols are shared by every command tree built (tests build many, in parallel).
    static ModelsCommand() => Experts.CompletionSources.Add(ExpertCompletions.ExpertsWithModels);

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
        // Sized to the terminal: URLs are elided to repository, revision and file (--json has them whole).
        var table = new Table { Expand = false }
            .AddColumn(new TableColumn("expert").NoWrap())
            .AddColumn(new TableColumn("model"))
            .AddColumn(new TableColumn("status"))
            .AddColumn(new TableColumn("size").RightAligned().NoWrap())
            .AddColumn(new TableColumn("licence"))
            .AddColumn(new TableColumn("source"));
        foreach (var file in files)
        {
            var status = file.Present ? (file.Overridden ? "[green]configured[/]" : "[green]present[/]")
                : file.Required ? (file.AutoFetch ? "[yellow]fetched on first use[/]" : "[red]missing[/]") : "[grey]optional[/]";
            var size = (file.Size ?? file.ExpectedSize) is { } bytes ? $"{bytes / 1048576.0:0.0} MiB" : "unknown";
            table.AddRow(Markup.Escape(file.Expert), Markup.Escape(file.Name + (file.Group is null ? "" : $" ({file.Group})")), status, size,
                Markup.Escape(ShortLicence(file.License)), Markup.Escape(SourceText(file)));
        }
        cli.Console.MarkupLine($"[grey]cache: {Markup.Escape(cli.Host.Models.Directory)}[/]");
        cli.Console.Write(table);
        return 0;
    }

    /// <summary>The source that served a cached file, else the first one tried, and how many follow it.</summary>
    private static string SourceText(ModelFileStatus file) =>
        file.ServedBy is { } served ? $"served by {ShortSource(served)}"
        : file.SourceCount > 1 ? $"{ShortSource(file.Source)} (+{file.SourceCount - 1} fallback)"
        : ShortSource(file.Source);

    /// <summary>
    /// A URL as <c>owner/repo@rev8 file</c> for Hugging Face-style <c>/resolve/REV/PATH</c> addresses, else
    /// <c>host/…/file</c>; package sources are short already.
    /// </summary>
    public static string ShortSource(string source)
    {
        if (!Uri.TryCreate(source, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")) return source;
        var segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var file = segments.Length > 0 ? segments[^1] : uri.Host;
        var resolve = Array.IndexOf(segments, "resolve");
        if (resolve == 2 && segments.Length > 4)
        {
            var revision = segments[3].Length == 40 ? segments[3][..8] : segments[3];
            return $"{segments[0]}/{segments[1]}@{revision} {file}";
        }
        return segments.Length > 1 ? $"{uri.Host}/…/{file}" : $"{uri.Host}/{file}";
    }

    /// <summary>The licence's name without the notes the manifest adds in brackets or after a semicolon.</summary>
    private static string ShortLicence(string? licence)
    {
        if (string.IsNullOrEmpty(licence)) return "";
        var end = licence.IndexOfAny(['(', ';']);
        return (end > 0 ? licence[..end] : licence).Trim().TrimEnd(',');
    }

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
            {
                var outcome = r.Outcome switch
                {
                    ModelVerifyOutcome.Verified => "[green]ok[/]",
                    ModelVerifyOutcome.Recorded => "[green]ok (checksum recorded)[/]",
                    ModelVerifyOutcome.Missing => "[grey]absent[/]",
                    _ => "[red]MISMATCH[/]",
                };
                cli.Console.MarkupLine($"{outcome} {Markup.Escape(r.Expert)}/{Markup.Escape(r.Name)} {Markup.Escape(r.Path)}");
            }
        }
        // Absent files are for `models list` and `tools`; only a file whose bytes are wrong fails verification.
        return results.Any(r => r.Outcome == ModelVerifyOutcome.Mismatch) ? ExitCodes.BadInput : 0;
    }
}
