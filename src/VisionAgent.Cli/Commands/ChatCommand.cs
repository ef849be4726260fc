using System.CommandLine;
using Spectre.Console;
using VisionAgent.Cli.Chat;
using VisionAgent.Cli.Rendering;
using VisionAgent.Cli.Rendering.Previews;
using VisionAgent.Cli.Sessions;
using VisionAgent.Core.Configuration;

namespace VisionAgent.Cli.Commands;

/// <summary><c>visionagent chat [--image PATH]...</c>: an interactive session with memory and slash commands.</summary>
public static class ChatCommand
{
    public static readonly Option<string[]> Images = new("--image", "-i") { Description = "An image to start with (repeatable); it becomes img1, img2, ...", AllowMultipleArgumentsPerToken = false };
    public static readonly Option<string?> Mode = new("--mode") { Description = "react (text protocol, default) or tools (native function calling)" };
    public static readonly Option<int?> MaxSteps = new("--max-steps") { Description = "Most steps per turn; each action the model asks for is one (default 8)" };

    /// <param name="input">Where lines come from (standard input when null), so tests can drive a session.</param>
    public static Command Create(TextReader? input = null)
    {
        Mode.AcceptOnlyFromAmong("react", "tools");
        var command = new Command("chat", "Talk with the agent about images: memory across turns, /image, /images, /tools, /trace, /save, /reset, /help, /exit")
        {
            Images, Mode, MaxSteps,
        };
        command.SetAction((parse, ct) => RunAsync(parse, input ?? System.Console.In, ct));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, TextReader input, CancellationToken cancellationToken)
    {
        var overrides = GlobalOptions.Overrides(parse, parse.GetValue(MaxSteps), parse.GetValue(Mode));
        await using var cli = await CliHost.CreateAsync(parse, cancellationToken, overrides);
        var (chat, identity) = cli.CreateLlm();
        var options = ReplyStreaming.Apply(cli.Host.CreateAgentOptions(), parse.GetValue(GlobalOptions.NoStream), cli.Host.Config, cli.Console, chat);
        var session = cli.Host.CreateSession(chat, identity, agentOptions: options);
        using var log = new SessionLog(DataFolders.Sessions(cli.Host.Home), cli.Host.Options.SessionId, cli.Host.Marker);
        log.SessionStarted("chat", identity);
        cli.Console.MarkupLine($"[grey]{Markup.Escape(CliHost.PlannerLine(identity))}[/]");
        cli.Console.MarkupLine($"[grey]Session {Markup.Escape(log.Id)}: log {Markup.Escape(log.FilePath)}; images go to {Markup.Escape(cli.Host.OutputDirectory)}[/]");

        var loop = new ChatLoop(session, cli.Host, cli.Console, log)
        {
            Preview = TerminalPreview.Create(cli.Console, parse.GetValue(GlobalOptions.NoPreview), cli.Host.Loader, cli.Host.Images),
            Progress = cli.Progress,
        };
        foreach (var path in parse.GetValue(Images) ?? []) loop.Attach(path);

        ConsoleCancelEventHandler? onCancel = null;
        IChatLineSource lines = new PlainChatLines(input, cli.Console);
        if (ReferenceEquals(input, System.Console.In))
        {
            var edited = !System.Console.IsInputRedirected && cli.Console.Profile.Capabilities is { Interactive: true, Ansi: true };
            if (edited)
            {
                var history = new ChatHistoryFile(Path.Combine(cli.Host.Home, "chat_history"), message => cli.Error.WriteLine($"warning: {message}"));
                var completion = new ChatCompletion(() => cli.Host.Images.Images.Select(i => i.Handle).Concat(cli.Host.Images.Regions.Select(r => r.Reference)));
                lines = EditedChatLines.Create(cli.Console.Profile.Out.Writer, history, completion, () => cli.Console.Profile.Width);
            }
            onCancel = (_, e) =>
            {
                // Ctrl+C stops the running turn, never the session; at a plain prompt it reminds how to leave (the
                // line editor keeps its line as it is).
                e.Cancel = true;
                if (!loop.CancelTurn() && !edited) cli.Console.Markup("\n[grey](Ctrl+D or /exit ends the session)[/]\n[bold blue]you>[/] ");
            };
            System.Console.CancelKeyPress += onCancel;
        }
        try
        {
            await loop.RunAsync(lines, cancellationToken);
        }
        finally
        {
            if (onCancel is not null) System.Console.CancelKeyPress -= onCancel;
        }
        return 0;
    }
}
