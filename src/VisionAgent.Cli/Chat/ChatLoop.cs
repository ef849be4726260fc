using System.Text.Json;
using Spectre.Console;
using VisionAgent.Abstractions;
using VisionAgent.Cli.Rendering;
using VisionAgent.Cli.Rendering.Previews;
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

    /// <summary>Expert progress, shown on the live line while a turn runs on a terminal.</summary>
    public ProgressRouter? Progress { get; init; }

    /// <summary>Draws the images each turn produces under their observations; null when the terminal cannot.</summary>
    public TerminalPreview? Preview { get; init; }

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

    public Task RunAsync(TextReader input, CancellationToken cancellationToken) =>
        RunAsync(new PlainChatLines(input, console), cancellationToken);

    public async Task RunAsync(IChatLineSource input, CancellationToken cancellationToken)
    {
        console.MarkupLine("[grey]Type a question, /help for commands, Ctrl+D or /exit to leave. Ctrl+C cancels a running turn.[/]");
        while (!cancellationToken.IsCancellationRequested)
        {
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
            catch (Exception ex) when (ex is VisionAgentException or IOException or UnauthorizedAccessException)
            {
                // A typo or an unwritable path costs one line; the session and its images go on.
                var message = ex.Message.Split('\n')[0];
                console.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");
                log.Note("error", message);
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
        var renderer = new TraceRenderer(console, host.Marker) { Preview = Preview };
        var observer = new TurnObserver(renderer, log);
        using var turn = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        lock (_gate) _turn = turn;
        try
        {
            if (console.Profile.Capabilities.Interactive && console.Profile.Capabilities.Ansi)
            {
                using var spinner = new TerminalSpinner(console, renderer, observer, Progress);
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
                Attach(ImagePathFinder.ExpandHome(input.Argument));
                break;
            case "images":
                ShowImages();
                break;
            case "tools":
                ShowTools();
                break;
            case "trace":
                ShowTrace();
                break;
            case "save":
                if (input.Argument.Length == 0) throw new BadInputException("usage: /save PATH");
                var saved = Save(ImagePathFinder.ExpandHome(input.Argument));
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
        {
            var description = image.Describe();
            var rest = description.StartsWith(image.Handle + ": ", StringComparison.Ordinal) ? description[(image.Handle.Length + 2)..] : description;
            console.MarkupLine($"[cyan]{image.Handle}[/]  {Markup.Escape(rest)}  [grey]{Markup.Escape(image.Path)}[/]");
        }
        foreach (var region in host.Images.Regions)
            console.MarkupLine($"[cyan]{Markup.Escape(region.Reference)}[/]  {Markup.Escape(region.Label)} {region.Score:0.00} at {region.Box}");
    }

    private void ShowTools()
    {
        var registry = host.Registry;
        foreach (var expert in registry.Experts.Where(e => !e.Loaded))
            console.MarkupLine($"[red]{Markup.Escape(expert.Manifest.Name)}[/]: unavailable ({Markup.Escape(expert.LoadError ?? "not loaded")})");
        foreach (var tool in registry.Tools)
        {
            var summary = Markup.Escape(tool.Function.Description.Split('\n')[0]);
            if (registry.Unavailable(tool) is { } needs)
                console.MarkupLine($"[grey]{Markup.Escape(tool.Name)}[/]: {summary} [yellow](unavailable: {Markup.Escape(needs)})[/]");
            else
                console.MarkupLine($"[cyan]{Markup.Escape(tool.Name)}[/]: {summary}");
        }
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
    /// <remarks>
    /// A folder gets <c>session-ID.json</c> inside it; an existing file is never replaced; a path that cannot be
    /// written is a one-line error and the session goes on.
    /// </remarks>
    public string Save(string path)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full)) full = Path.Combine(full, $"session-{log.Id}.json");
        if (File.Exists(full) || Directory.Exists(full))
            throw new BadInputException($"/save: {full} already exists; give a new file name");
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
        try
        {
            var folder = Path.GetDirectoryName(full);
            if (folder is not null) Directory.CreateDirectory(folder);
            using var file = new FileStream(full, FileMode.CreateNew, FileAccess.Write);
            JsonSerializer.Serialize(file, document, JsonOutput.Options);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new BadInputException($"/save: cannot write {full}: {ex.Message}", ex);
        }
        log.Note("saved", full);
        return full;
    }
}
