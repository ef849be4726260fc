using System.Text.Json;
using Spectre.Console;
using VisionAgent.Abstractions;
using VisionAgent.Cli.Rendering;
using VisionAgent.Cli.Sessions;
using VisionAgent.Core.Agent;
using VisionAgent.Hosting;

namespace VisionAgent.Cli.Chat;

/// <summary>
/// The interactive session: reads lines from the given reader, runs slash commands, attaches paths typed into
/// messages, asks the agent with live rendering, and logs every event. <see cref="CancelTurn"/> (Ctrl+C) stops
/// the running turn only.
/// </summary>
public sealed class ChatLoop(AgentSession session, AgentHost host, IAnsiConsole console, SessionLog log, ImagePathFinder? paths = null)
{
    private readonly ImagePathFinder _paths = paths ?? new ImagePathFinder();
    private readonly Lock _gate = new();
    private CancellationTokenSource? _turn;

    /// <summary>Cancels the running turn; returns false when none is running.</summary>
    public bool CancelTurn()
    {
        lock (_gate)
        {
            if (_turn is null) return false;
            _turn.Cancel();
            return true;
        }
    }

    public async Task RunAsync(TextReader input, CancellationToken cancellationToken)
    {
        console.MarkupLine("[grey]Type a question, /help for commands, Ctrl+D or /exit to leave. Ctrl+C cancels a running turn.[/]");
        while (!cancellationToken.IsCancellationRequested)
        {
            console.Markup("[bold blue]you>[/] ");
            var line = await input.ReadLineAsync(cancellationToken);
            if (line is null)
            {
                console.WriteLine();
                break;
            }
            if (string.IsNullOrWhiteSpace(line)) continue;
            var parsed = ChatInput.Parse(line, text => _paths.Find(text) is [{ Start: 0 }, ..]);
            try
            {
                if (parsed.IsCommand)
                {
                    if (parsed.Command == "exit") break;
                    RunCommand(parsed);
                }
                else
                {
                    await AskAsync(parsed.Text, cancellationToken);
                }
            }
            catch (VisionAgentException ex)
            {
                console.MarkupLine($"[red]error:[/] {Markup.Escape(ex.Message)}");
                log.Note("error", ex.Message);
            }
        }
        log.Note("session_end");
    }

    public ImageRecord Attach(string path)
    {
        var record = host.Images.AddInput(path);
        log.ImageAttached(record);
        console.MarkupLine($"[green]attached[/] {Markup.Escape(record.Describe())}");
        return record;
    }

    private async Task AskAsync(string message, CancellationToken cancellationToken)
    {
        var found = _paths.Find(message);
        var replacements = found.Select(f => (f, Attach(f.Path).Handle)).ToList();
        var question = ImagePathFinder.Replace(message, replacements).Trim();
        var remainder = replacements.Aggregate(question, (text, r) => text.Replace(r.Handle, "", StringComparison.Ordinal));
        if (found.Count > 0 && remainder.Trim(' ', ',', ';', '.').Length == 0)
            return; // only paths were typed: attaching them was the whole request

        log.TurnStarted(question);
        var renderer = new TraceRenderer(console, host.Marker);
        var observer = new TurnObserver(renderer, log);
        using var turn = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        lock (_gate) _turn = turn;
        try
        {
            if (console.Profile.Capabilities.Interactive && console.Profile.Capabilities.Ansi)
            {
                using var spinner = new TerminalSpinner(console, renderer, observer);
                await session.AskAsync(question, spinner, turn.Token);
            }
            else
            {
                await session.AskAsync(question, observer, turn.Token);
            }
        }
        finally
        {
            lock (_gate) _turn = null;
        }
        if (session.Turns[^1].Result.Status == RunStatus.Cancelled)
            console.MarkupLine("[yellow]turn cancelled; the session goes on[/]");
    }

    private void RunCommand(ChatInput input)
    {
        switch (input.Command)
        {
            case "image":
                if (input.Argument.Length == 0) throw new BadInputException("usage: /image PATH");
                Attach(input.Argument);
                break;
            case "images":
                ShowImages();
                break;
            case "tools":
                foreach (var tool in host.Registry.Tools)
                    console.MarkupLine($"[cyan]{Markup.Escape(tool.Name)}[/]: {Markup.Escape(tool.Function.Description.Split('\n')[0])}");
                break;
            case "trace":
                ShowTrace();
                break;
            case "save":
                if (input.Argument.Length == 0) throw new BadInputException("usage: /save PATH");
                var saved = Save(input.Argument);
                console.MarkupLine($"[green]saved[/] {Markup.Escape(saved)}");
                break;
            case "reset":
                session.Reset();
                log.Note("reset");
                console.MarkupLine("[green]conversation and images cleared[/]");
                break;
            case "help":
                foreach (var (_, usage, help) in ChatInput.Commands)
                    console.MarkupLine($"[cyan]{Markup.Escape(usage)}[/]  {Markup.Escape(help)}");
                console.MarkupLine("[grey]A path typed into a message (quoted or not) is attached and replaced by its handle.[/]");
                break;
            default:
                console.MarkupLine($"[yellow]unknown command /{Markup.Escape(input.Command!["unknown:".Length..])}[/]: /help lists them");
                break;
        }
    }

    private void ShowImages()
    {
        if (host.Images.Images.Count == 0)
        {
            console.MarkupLine("[grey]no images yet: /image PATH attaches one[/]");
            return;
        }
        foreach (var image in host.Images.Images)
            console.MarkupLine($"[cyan]{image.Handle}[/]  {Markup.Escape(image.Describe())}  [grey]{Markup.Escape(image.Path)}[/]");
        foreach (var region in host.Images.Regions)
            console.MarkupLine($"[cyan]{Markup.Escape(region.Reference)}[/]  {Markup.Escape(region.Label)} {region.Score:0.00} at {region.Box}");
    }

    private void ShowTrace()
    {
        if (session.Turns.Count == 0)
        {
            console.MarkupLine("[grey]no turn yet[/]");
            return;
        }
        var last = session.Turns[^1];
        var renderer = new TraceRenderer(console, host.Marker);
        console.MarkupLine($"[bold]Question:[/] {Markup.Escape(last.Question)}");
        foreach (var step in last.Result.Steps)
        {
            if (step.Thought is not null) renderer.OnEvent(new ThoughtEvent(step.Thought));
            if (step.Action is not null)
                console.MarkupLine($"[bold cyan]Action:[/] [cyan]{Markup.Escape(step.Action)}[/] [grey]{Markup.Escape(step.Input ?? "")}[/]");
            renderer.RenderObservation(step);
        }
        console.MarkupLine($"[grey]{last.Result.Status}, {last.Result.LlmCalls} planner calls, {last.Result.DurationMs} ms[/]");
        renderer.RenderAnswer(last.Result with { Images = [] });
    }

    /// <summary>Writes the session (planner, images, every turn with its steps) as one JSON document.</summary>
    public string Save(string path)
    {
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full);
        if (folder is not null) Directory.CreateDirectory(folder);
        var document = new
        {
            id = log.Id,
            planner = new { provider = session.Llm.Provider, model = session.Llm.Model },
            images = JsonOutput.Images(host.Images.Images),
            turns = session.Turns.Select(t => new
            {
                question = t.Question,
                status = t.Result.Status,
                answer = t.Result.Answer,
                error = t.Result.Error,
                duration_ms = t.Result.DurationMs,
                steps = t.Result.Steps.Select(s => new
                {
                    thought = s.Thought,
                    action = s.Action,
                    input = s.Input,
                    observation = host.Marker.Unmark(s.Observation),
                    duration_ms = s.DurationMs,
                    failed = s.Failed ? true : (bool?)null,
                    images = s.ImagesProduced,
                }),
            }),
        };
        File.WriteAllText(full, JsonSerializer.Serialize(document, JsonOutput.Options));
        log.Note("saved", full);
        return full;
    }
}
