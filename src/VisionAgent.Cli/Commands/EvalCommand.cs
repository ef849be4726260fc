using System.CommandLine;
using System.Globalization;
using static System.FormattableString;
using Spectre.Console;
using VisionAgent.Abstractions;
using VisionAgent.Cli.Rendering;
using VisionAgent.Core.Configuration;
using VisionAgent.Core.Llm.Offline;
using VisionAgent.Evaluation;
using VisionAgent.Evaluation.Reports;
using VisionAgent.Evaluation.Running;
using VisionAgent.Evaluation.Tasks;
using VisionAgent.Hosting;
using VisionAgent.Imaging;

namespace VisionAgent.Cli.Commands;

/// <summary>
/// <c>visionagent eval PATH... [-j N] [--report DIR] [--filter TEXT|tag:X]... [--min-pass R] [--shard K/N] [--record DIR | --replay DIR [--frozen-experts]]</c>,
/// <c>visionagent eval merge REPORT... --report DIR</c> and <c>visionagent eval compare REPORT_A REPORT_B</c>.
/// </summary>
public static class EvalCommand
{
    public static readonly Argument<string[]> Paths = new("paths") { Description = "Task files or folders of them (*.yaml, searched recursively)", Arity = ArgumentArity.OneOrMore };
    public static readonly Option<int> Jobs = new("--jobs", "-j") { HelpName = "N", Description = "Tasks run at once (default 1)", DefaultValueFactory = _ => 1 };
    public static readonly Option<string?> Report = new("--report") { HelpName = "DIR", Description = "Folder for report.json, report.md, junit.xml and report.html" };
    public static readonly Option<string[]> Filter = new("--filter") { HelpName = "TEXT|tag:X", Description = "Run only tasks whose id or file contains TEXT, or that carry tag:X (repeatable; all must match)" };
    public static readonly Option<double> MinPass = new("--min-pass") { HelpName = "R", Description = "Pass rate the suite must reach, 0..1 (default 1: every task)", DefaultValueFactory = _ => 1.0 };
    public static readonly Option<string?> Record = new("--record") { HelpName = "DIR", Description = "Write one cassette per task (LLM and expert calls) into this folder" };
    public static readonly Option<string?> Replay = new("--replay") { HelpName = "DIR", Description = "Re-run from the cassettes in this folder with no LLM" };
    public static readonly Option<bool> FrozenExperts = new("--frozen-experts") { Description = "With --replay: answer expert calls from the cassettes too (no models run)" };
    public static readonly Option<string?> Shard = new("--shard") { HelpName = "K/N", Description = "Run shard K of N (K/N): the tasks whose id hashes to K; shards 1/N..N/N together run every task once" };

    public static Command Create()
    {
        var command = new Command("eval", "Run a suite of image tasks, score the answers and write reports; record or replay runs")
        {
            Paths, Jobs, Report, Filter, MinPass, Record, Replay, FrozenExperts, Shard,
        };
        command.SetAction(RunAsync);
        command.Subcommands.Add(CreateCompare());
        command.Subcommands.Add(CreateMerge());
        return command;
    }

    private static Command CreateCompare()
    {
        var before = new Argument<string>("before") { Description = "The earlier report (report.json or its folder)" };
        var after = new Argument<string>("after") { Description = "The later report (report.json or its folder)" };
        var compare = new Command("compare", "Compare two reports task by task: better, worse or same") { before, after };
        compare.SetAction(parse =>
        {
            var a = ReportWriter.Read(parse.GetValue(before)!);
            var b = ReportWriter.Read(parse.GetValue(after)!);
            var comparison = ReportComparer.Compare(a, b);
            var rows = comparison.Rows;
            foreach (var warning in comparison.Warnings) parse.InvocationConfiguration.Error.WriteLine($"warning: {warning}");
            var console = ConsoleFactory.Create(parse.InvocationConfiguration.Output);
            var table = new Table().AddColumns("file", "task", "before", "after", "change", "detail");
            foreach (var row in rows)
            {
                var colour = row.Change switch { ReportComparer.Better => "green", ReportComparer.Worse => "red", _ => "grey" };
                table.AddRow(Markup.Escape(row.File), Markup.Escape(row.Id), row.Before ?? "-", row.After ?? "-", $"[{colour}]{row.Change}[/]", Markup.Escape(row.Detail));
            }
            console.Write(table);
            console.MarkupLine(Invariant($"pass rate {a.Summary.PassRate * 100:0.0}% -> {b.Summary.PassRate * 100:0.0}%; better {Count(rows, ReportComparer.Better)}, worse {Count(rows, ReportComparer.Worse)}, same {Count(rows, ReportComparer.Same)}, added {Count(rows, ReportComparer.Added)}, removed {Count(rows, ReportComparer.Removed)}"));
            return ExitCodes.Answered;
        });
        return compare;
    }

    private static Command CreateMerge()
    {
        var reports = new Argument<string[]>("reports") { Description = "Shard reports (report.json files or their folders)", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--report") { HelpName = "DIR", Description = "Folder for the merged report.json, report.md, junit.xml and report.html", Required = true };
        var minPass = new Option<double?>("--min-pass") { HelpName = "R", Description = "Pass rate the merged suite must reach, 0..1 (default: the shards' own)" };
        var merge = new Command("merge", "Combine shard reports into one report with the summary recomputed") { reports, output, minPass };
        merge.SetAction(async (parse, cancellationToken) =>
        {
            var threshold = parse.GetValue(minPass);
            if (threshold is < 0 or > 1) throw new VisionAgentException("--min-pass is a fraction from 0 to 1", ExitCodes.Usage);
            var directory = parse.GetValue(output)!;
            if (File.Exists(Path.Combine(directory, ReportWriter.JsonFile)))
                throw new BadInputException($"{directory} already holds a report; merge into a new folder");
            var inputs = (parse.GetValue(reports) ?? []).Select(path => (path, ReportWriter.Read(path))).ToList();
            var merged = ReportMerger.Merge(inputs, threshold);
            var loader = new ImageLoader(AgentHost.ImageLimitsFrom(ConfigLoader.Load(GlobalOptions.Overrides(parse))));
            await ReportWriter.WriteAsync(merged, directory, loader, cancellationToken);
            var console = ConsoleFactory.Create(parse.InvocationConfiguration.Output);
            PrintSummary(console, merged);
            console.MarkupLine($"[grey]report: {Markup.Escape(Path.Combine(directory, ReportWriter.JsonFile))}, {ReportWriter.MarkdownFile}, {ReportWriter.JUnitFile}, {ReportWriter.HtmlFile}[/]");
            return merged.MetThreshold ? EvalExitCodes.Met : EvalExitCodes.BelowThreshold;
        });
        return merge;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var jobs = parse.GetValue(Jobs);
        var minPass = parse.GetValue(MinPass);
        var record = parse.GetValue(Record);
        var replay = parse.GetValue(Replay);
        var frozen = parse.GetValue(FrozenExperts);
        if (jobs < 1) throw new VisionAgentException("--jobs must be at least 1", ExitCodes.Usage);
        if (minPass is < 0 or > 1) throw new VisionAgentException("--min-pass is a fraction from 0 to 1", ExitCodes.Usage);
        if (record is not null && replay is not null) throw new VisionAgentException("use --record or --replay, not both", ExitCodes.Usage);
        if (frozen && replay is null) throw new VisionAgentException("--frozen-experts needs --replay DIR", ExitCodes.Usage);
        var shard = parse.GetValue(Shard) is { } shardText ? SuiteShard.Parse(shardText) : null;

        var tasks = TaskFileReader.Load(parse.GetValue(Paths) ?? []);
        var filters = parse.GetValue(Filter) ?? [];
        tasks = tasks.Where(t => filters.All(f => Matches(t, f))).ToList();
        if (tasks.Count == 0) throw new BadInputException("no task matches (check the paths and --filter)");

        var config = ConfigLoader.Load(GlobalOptions.Overrides(parse));
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        var console = ConsoleFactory.Create(output);
        var errorConsole = ConsoleFactory.Create(error);
        var reportDirectory = parse.GetValue(Report);
        var work = parse.GetValue(GlobalOptions.Output)
            ?? (reportDirectory is not null ? Path.Combine(reportDirectory, "work") : Path.Combine(Path.GetTempPath(), "visionagent-eval-" + Guid.NewGuid().ToString("N")[..8]));

        // Every task's host starts from the options every other command uses, with the plugin folders and MCP
        // servers found once for the suite, so eval sees exactly the experts that ask and chat see.
        var hostOptions = CliHost.HostOptions(parse, config);
        await using var external = await AgentHost.DiscoverExternalExpertsAsync(config, startMcpServers: true, expertAssemblies: null, cancellationToken);
        hostOptions = hostOptions with { External = external, OutputDirectory = null };

        AgentHost? plannerHost = null;
        Func<EvalTask, TaskLlm>? llm = null;
        if (replay is null)
        {
            // One host plans for the whole suite: the configured LLM, or with none the offline planner, which routes
            // by the experts' manifests that every task's host shares.
            plannerHost = await AgentHost.CreateAsync(hostOptions with { OutputDirectory = Path.Combine(work, "planner") }, cancellationToken);
            var (service, identity) = plannerHost.CreateLlm(message => error.WriteLine($"warning: {message}"));
            if (service is OfflinePlanner) console.MarkupLine($"[grey]{Markup.Escape(CliHost.PlannerLine(identity))}[/]");
            llm = _ => new TaskLlm(service, identity);
        }
        await using var plannerOwner = plannerHost;

        var progress = new EvalProgress(errorConsole, shard?.Select(tasks).Count ?? tasks.Count, errorConsole.Profile.Capabilities is { Interactive: true, Ansi: true });
        if (shard is not null)
            console.MarkupLine(Invariant($"[grey]shard {shard}: {shard.Select(tasks).Count} of {tasks.Count} tasks[/]"));
        var runner = new SuiteRunner(new SuiteOptions
        {
            Host = hostOptions,
            Llm = llm,
            RecordDirectory = record,
            ReplayDirectory = replay,
            FrozenExperts = frozen,
            Parallelism = jobs,
            WorkDirectory = work,
            MinPass = minPass,
            Shard = shard,
            Warn = message => error.WriteLine($"warning: {message}"),
            TaskStarted = progress.Started,
            TaskFinished = progress.Finished,
        });
        var report = await progress.ShowAsync(() => runner.RunAsync(tasks, cancellationToken), cancellationToken);
        PrintSummary(console, report);
        if (reportDirectory is not null)
        {
            await ReportWriter.WriteAsync(report, reportDirectory, new ImageLoader(AgentHost.ImageLimitsFrom(config)), cancellationToken);
            console.MarkupLine($"[grey]report: {Markup.Escape(Path.Combine(reportDirectory, ReportWriter.JsonFile))}, {ReportWriter.MarkdownFile}, {ReportWriter.JUnitFile}, {ReportWriter.HtmlFile}[/]");
        }
        if (record is not null) console.MarkupLine($"[grey]cassettes: {Markup.Escape(record)}[/]");
        return report.MetThreshold ? EvalExitCodes.Met : EvalExitCodes.BelowThreshold;
    }

    private static bool Matches(EvalTask task, string filter) =>
        filter.StartsWith("tag:", StringComparison.OrdinalIgnoreCase)
            ? task.Tags.Contains(filter[4..], StringComparer.OrdinalIgnoreCase)
            : task.Id.Contains(filter, StringComparison.OrdinalIgnoreCase) || task.File.Contains(filter, StringComparison.OrdinalIgnoreCase);

    private static void PrintSummary(IAnsiConsole console, SuiteReport report)
    {
        var s = report.Summary;
        var failures = report.Tasks.Where(t => !t.Passed).ToList();
        if (failures.Count > 0)
        {
            var failed = new Table().AddColumns("task", "status", "reason");
            foreach (var task in failures) failed.AddRow(Markup.Escape(task.Id), task.Status, Markup.Escape(task.Reason()));
            console.Write(failed);
        }
        var table = new Table().AddColumns("", "tasks", "passed", "pass rate");
        table.AddRow("[bold]all[/]", s.Total.ToString(CultureInfo.InvariantCulture), s.Passed.ToString(CultureInfo.InvariantCulture), Invariant($"{s.PassRate * 100:0.0}%"));
        foreach (var tag in s.ByTag)
            table.AddRow("tag:" + Markup.Escape(tag.Tag), tag.Total.ToString(CultureInfo.InvariantCulture), tag.Passed.ToString(CultureInfo.InvariantCulture), Invariant($"{tag.PassRate * 100:0.0}%"));
        console.Write(table);
        console.MarkupLine(Invariant($"mode {report.Mode}; steps {s.Steps}, tool calls {s.ToolCalls}, tokens {s.Tokens}; task latency p50 {s.LatencyP50Ms} ms, p90 {s.LatencyP90Ms} ms, p99 {s.LatencyP99Ms} ms; {report.DurationMs} ms in all"));
        var verdict = report.MetThreshold ? "[green]met[/]" : "[red]not met[/]";
        console.MarkupLine(Invariant($"pass rate {s.PassRate * 100:0.0}% (failed {s.Failed}, errors {s.Errors}, diverged {s.Diverged}); threshold {report.MinPass * 100:0}% ") + verdict);
    }

    private static int Count(IReadOnlyList<TaskComparison> rows, string change) => rows.Count(r => r.Change == change);
}
