using Spectre.Console;
using VisionAgent.Cli.Rendering;
using VisionAgent.Core.Agent;

namespace VisionAgent.Cli.Chat;

/// <summary>
/// The one live line at the bottom of an interactive terminal: a spinner with the run's state ("thinking (step
/// 2)...", "running segment...") and, while an expert reports progress (a model download, denoising steps), that
/// progress on the same line. Every trace line clears it first, so nothing writes over anything else, and while a
/// streamed thought is being written on the line, the spinner waits for that line to end. It turns on
/// its own thread, so a long expert call that keeps the thread pool busy does not stop it.
/// </summary>
public sealed class TerminalSpinner : IAgentObserver, IDisposable
{
    private static readonly string[] Frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
    private readonly IAnsiConsole _console;
    private readonly IAgentObserver _inner;
    private readonly TextWriter _terminal;
    private readonly Lock _gate = new();
    private readonly ManualResetEventSlim _stop = new();
    private readonly Thread _thread;
    private readonly ProgressRouter? _progress;
    private readonly TraceRenderer _renderer;
    private string? _text = "thinking...";
    private string? _progressText;
    private int _frame;

    public TerminalSpinner(IAnsiConsole console, TraceRenderer renderer, IAgentObserver inner, ProgressRouter? progress = null)
    {
        _console = console;
        _inner = inner;
        _terminal = console.Profile.Out.Writer;
        _progress = progress;
        _renderer = renderer;
        renderer.StatusChanged = text => { lock (_gate) _text = text; };
        if (progress is not null) progress.Live = text => { lock (_gate) _progressText = text; };
        _thread = new Thread(Spin) { IsBackground = true, Name = "live status line" };
        _thread.Start();
    }

    private void Spin()
    {
        do
        {
            Tick();
        }
        while (!_stop.Wait(100));
    }

    public void OnEvent(AgentEvent agentEvent)
    {
        lock (_gate)
        {
            // A streamed thought owns the line while it is written; the renderer ends that line itself.
            if (!_renderer.IsThoughtOpen) Clear();
            _inner.OnEvent(agentEvent);
            if (agentEvent is AnswerEvent) _text = null;
            if (agentEvent is ObservationEvent) _progressText = null;
        }
    }

    private void Tick()
    {
        lock (_gate)
        {
            if (_text is null || _renderer.IsThoughtOpen) return;
            var width = Math.Max(10, _console.Profile.Width - 4);
            var line = _progressText is null ? _text : $"{_text} · {_progressText}";
            var text = line.Length > width ? line[..width] : line;
            _terminal.Write($"\r\u001b[2K\u001b[2m{Frames[_frame++ % Frames.Length]} {text}\u001b[0m");
            _terminal.Flush();
        }
    }

    private void Clear()
    {
        _terminal.Write("\r\u001b[2K");
        _terminal.Flush();
    }

    public void Dispose()
    {
        if (_progress is not null) _progress.Live = null;
        _stop.Set();
        _thread.Join();
        _stop.Dispose();
        lock (_gate)
        {
            _text = null;
            Clear();
        }
    }
}
