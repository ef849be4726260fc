using Spectre.Console;
using VisionAgent.Abstractions;

namespace VisionAgent.Cli.Rendering;

/// <summary>
/// Shows experts' long work (model downloads, denoising steps) as progress bars on the error stream, so
/// <c>--json</c> output stays clean: one line per quarter elsewhere, or, while a live status line owns the bottom
/// of the terminal (<see cref="Live"/>), on that line, so bars and spinner never write over each other.
/// </summary>
public sealed class ProgressRouter(Func<IAnsiConsole> createConsole) : IProgress<ExpertProgress>
{
    // Made on the first line printed: most runs report no progress.
    private readonly Lazy<IAnsiConsole> _console = new(createConsole);
    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _lastPercent = [];

    /// <summary>The live status line to report to instead of printing lines; null prints lines.</summary>
    public Action<string>? Live { get; set; }

    public void Report(ExpertProgress value)
    {
        var key = $"{value.Expert}: {value.Stage}";
        var percent = value.Total > 0 ? (int)(100 * value.Completed / value.Total) : 0;
        if (Live is { } live)
        {
            var done = value.Unit == "bytes" ? $"{value.Completed / 1048576.0:0.0}/{value.Total / 1048576.0:0.0} MiB" : $"{value.Completed:0}/{value.Total:0}";
            live($"{key} [{new string('#', Math.Clamp(percent, 0, 100) / 10).PadRight(10, '.')}] {percent}% {done}");
            return;
        }
        lock (_gate)
        {
            // Print at 0, every 25% and at completion: enough to see work advance without flooding a log.
            var bucket = percent >= 100 ? 100 : percent / 25 * 25;
            if (_lastPercent.TryGetValue(key, out var last) && last >= bucket) return;
            _lastPercent[key] = bucket;
            var amount = value.Unit == "bytes"
                ? $"{value.Completed / 1048576:0.0}/{value.Total / 1048576:0.0} MiB"
                : $"{value.Completed:0}/{value.Total:0}{(value.Unit is null ? "" : " " + value.Unit)}";
            var bar = new string('#', bucket / 5).PadRight(20, '.');
            _console.Value.MarkupLine($"[grey]{Markup.Escape(key)} [[{bar}]] {percent,3}% {Markup.Escape(amount)}[/]");
        }
    }
}
