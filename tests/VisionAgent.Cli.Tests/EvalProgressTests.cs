using Spectre.Console.Testing;
using VisionAgent.Cli.Rendering;
using VisionAgent.Evaluation.Reports;
using VisionAgent.Evaluation.Tasks;

namespace VisionAgent.Cli.Tests;

public sealed class EvalProgressTests
{
    private static EvalTask Task(string id) => new() { Id = id, File = "s.yaml", Turns = [] };

    private static TaskReport Report(string id, string status, long ms) => new() { Id = id, File = "s.yaml", Status = status, DurationMs = ms };

    [Fact]
    public void A_plain_line_reads_as_progress_then_verdict_then_task_and_time()
    {
        Assert.Equal("[4/5] FAIL coins-count (1.2 s)", EvalProgress.Line(4, 5, Report("coins-count", TaskOutcome.Failed, 1234)));
        Assert.Equal("[1/5] PASS cat (0.0 s)", EvalProgress.Line(1, 5, Report("cat", TaskOutcome.Passed, 10)));
        Assert.Equal(("ERROR", "DIVERGED"), (EvalProgress.Verdict(TaskOutcome.Error), EvalProgress.Verdict(TaskOutcome.Diverged)));
    }

    [Fact]
    public async Task Redirected_output_gets_one_line_per_finished_task()
    {
        var console = new TestConsole();
        var progress = new EvalProgress(console, 2, live: false);

        await progress.ShowAsync(() =>
        {
            progress.Started(Task("a"));
            progress.Started(Task("b"));
            progress.Finished(Report("b", TaskOutcome.Failed, 1500));
            progress.Finished(Report("a", TaskOutcome.Passed, 2000));
            return System.Threading.Tasks.Task.FromResult(0);
        }, CancellationToken.None);

        Assert.Equal(["[1/2] FAIL b (1.5 s)", "[2/2] PASS a (2.0 s)"], console.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd()));
    }

    [Fact]
    public async Task A_terminal_sees_the_running_tasks_with_their_elapsed_time()
    {
        var console = new TestConsole().Interactive();
        console.Profile.Width = 100;
        var progress = new EvalProgress(console, 3, live: true);
        var release = new TaskCompletionSource();

        var run = progress.ShowAsync(async () =>
        {
            progress.Started(Task("slow-task"));
            progress.Started(Task("quick-task"));
            progress.Finished(Report("quick-task", TaskOutcome.Passed, 100));
            await release.Task;
            progress.Finished(Report("slow-task", TaskOutcome.Failed, 900));
            return 7;
        }, CancellationToken.None);
        await System.Threading.Tasks.Task.Delay(600);
        var during = console.Output;
        release.SetResult();
        var result = await run;

        Assert.Equal(7, result);
        Assert.Contains("1 of 3 tasks done: 1 passed, 0 not passed; 1 running", during, StringComparison.Ordinal);
        Assert.Matches(@"slow-task\s*│\s*0\.\d s", during);
        Assert.Contains("[1/3] PASS quick-task (0.1 s)", during, StringComparison.Ordinal);
        Assert.Contains("2 of 3 tasks done: 1 passed, 1 not passed; 0 running", console.Output, StringComparison.Ordinal);
    }
}
