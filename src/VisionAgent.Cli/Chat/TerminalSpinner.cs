using Spectre.Console;
using VisionAgent.Cli.Rendering;
using VisionAgent.Core.Agent;

namespace VisionAgent.Cli.Chat;

/// <summary>
/// A one-line spinner under the trace ("thinking (step 2)...", "running ocr...") for an interactive terminal.
/// Every trace line clears the spinner first, so long wrapped lines never collide with it (Spectre's live
/// status leaves fragments behind when a line printed under it wraps).
/// </summary>
public sealed class TerminalSpinner : IAgentObserver, IDisposable
{
    private static readonly string[] Frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
    private readonly IAnsiConsole _console;
    private readonly IAgentObserver _inner;
    private readonly TextWriter _terminal;
    private readonly Lock _gate = new();
    private readonly Timer _timer;
    private string? _text = "thinking...";
    private int _frame;

    public TerminalSpinner(IAnsiConsole console, TraceRenderer renderer, IAgentObserver inner)
    {
        _console = console;
        _inner = inner;
        _terminal = console.Profile.Out.Writer;
        renderer.StatusChanged = text => { lock (_gate) _text = text; };
        _timer = new Timer(_ => Tick(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(100));
    }

    public void OnEvent(AgentEvent agentEvent)
    {
        lock (_gate)
        {
            Clear();
            _inner.OnEvent(agentEvent);
            if (agentEvent is AnswerEvent) _text = null;
        }
    }

    private void Tick()
    {
        lock (_gate)
        {
            if (_text is null) return;
            var width = Math.Max(10, _console.Profile.Width - 4);
            var text = _text.Length > width ? _text[..width] : _text;
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
        _timer.Dispose();
        lock (_gate)
        {
            _text = null;
            Clear();
        }
    }
}
