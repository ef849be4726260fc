using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;
using VisionAgent.Evaluation.Reports;
using VisionAgent.Evaluation.Tasks;
using static System.FormattableString;

namespace VisionAgent.Cli.Rendering;

/// <summary>
/// A suite's progress on standard error. On a terminal: a live view of the tasks running now with their elapsed
/// time, the counts so far and the latest results. Elsewhere (logs, CI, tests): one line per finished task, worded
/// so the count reads as progress, not as a tally of failures: <c>[4/5] FAIL coins-count (1.2 s)</c>.
/// </summary>
public sealed class EvalProgress(IAnsiConsole console, int total, bool live)
{
    private const int RecentShown = 5;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Stopwatch> _running = new(StringComparer.Ordinal);
    private readonly Queue<string> _recent = new();
    private int _done;
    private int _passed;

    public void Started(EvalTask task)
    {
        lock (_gate) _running[task.Id] = Stopwatch.StartNew();
    }

    public void Finished(TaskReport task)
    {
        lock (_gate)
        {
            _running.Remove(task.Id);
            _done++;
            if (task.Passed) _passed++;
            var line = Line(_done, total, task);
            if (live)
            {
                _recent.Enqueue(line);
                if (_recent.Count > RecentShown) _recent.Dequeue();
            }
            else
            {
                console.MarkupLine($"[{(task.Passed ? "green" : "red")}]{Markup.Escape(line)}[/]");
            }
        }
    }

    /// <summary>"[4/5] FAIL coins-count (1.2 s)": position in the run, verdict, task, how long it took.</summary>
    public static string Line(int done, int total, TaskReport task) =>
        Invariant($"[{done}/{total}] {Verdict(task.Status)} {task.Id} ({task.DurationMs / 1000.0:0.0} s)");

    public static string Verdict(string status) => status switch
    {
        TaskOutcome.Passed => "PASS",
        TaskOutcome.Failed => "FAIL",
        TaskOutcome.Diverged => "DIVERGED",
        _ => "ERROR",
    };

    /// <summary>Runs <paramref name="run"/>, redrawing the live view until it ends (or just runs it when not live).</summary>
    public async Task<T> ShowAsync<T>(Func<Task<T>> run, CancellationToken cancellationToken)
    {
        if (!live) return await run();
        T result = default!;
        await console.Live(Render()).AutoClear(false).StartAsync(async context =>
        {
            var work = run();
            while (!work.IsCompleted)
            {
                context.UpdateTarget(Render());
                await Task.WhenAny(work, Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken));
                if (cancellationToken.IsCancellationRequested) break;
            }
            result = await work;
            context.UpdateTarget(Render());
        });
        return result;
    }

    private IRenderable Render()
    {
        lock (_gate)
        {
            var counts = new Markup(Markup.Escape(Invariant($"{_done} of {total} tasks done: {_passed} passed, {_done - _passed} not passed; {_running.Count} running")));
            var table = new Table().Border(TableBorder.Rounded).AddColumns("running task", "elapsed");
            foreach (var (id, clock) in _running.OrderByDescending(r => r.Value.Elapsed))
                table.AddRow(Markup.Escape(id), clock.Elapsed.TotalSeconds.ToString("0.0 s", CultureInfo.InvariantCulture));
            if (_running.Count == 0) table.AddRow("[grey](none)[/]", "");
            var recent = _recent.Count == 0 ? new Markup("") : new Markup("[grey]" + Markup.Escape(string.Join(Environment.NewLine, _recent)) + "[/]");
            return new Rows(counts, table, recent);
        }
    }
}
