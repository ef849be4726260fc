using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using VisionAgent.Cli.Rendering;
using VisionAgent.Cli.Sessions;
using VisionAgent.Core.Configuration;

namespace VisionAgent.Cli.Commands;

/// <summary><c>visionagent sessions [--json]</c>: the logged sessions, newest first.</summary>
public static class SessionsCommand
{
    public static readonly Option<bool> Json = new("--json") { Description = "Print the list as JSON" };

    public static Command Create()
    {
        var command = new Command("sessions", "List logged chat and ask sessions (id, start time, turns, first question)") { Json };
        command.SetAction(RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var folder = DataFolders.Sessions(DataFolders.Home());
        var sessions = SessionCatalog.List(folder);
        var output = parse.InvocationConfiguration.Output;
        if (parse.GetValue(Json))
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(sessions.Select(s => new
            {
                id = s.Id,
                started = s.Started,
                command = s.Command,
                turns = s.Turns,
                first_question = s.FirstQuestion,
                log = s.Path,
            }), JsonOutput.Options).AsMemory(), cancellationToken);
            return 0;
        }
        var console = ConsoleFactory.Create(output);
        if (sessions.Count == 0)
        {
            console.MarkupLine($"[grey]no sessions under {Markup.Escape(folder)}[/]");
            return 0;
        }
        var table = new Table().AddColumns("id", "started (UTC)", "command", "turns", "first question");
        foreach (var s in sessions)
        {
            table.AddRow(
                Markup.Escape(s.Id),
                s.Started?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "?",
                Markup.Escape(s.Command),
                s.Turns.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(s.FirstQuestion ?? ""));
        }
        console.Write(table);
        return 0;
    }
}
