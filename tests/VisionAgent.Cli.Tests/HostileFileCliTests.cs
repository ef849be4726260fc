using System.Text.RegularExpressions;
using VisionAgent.Abstractions;
using VisionAgent.Cli.Sessions;
using VisionAgent.Cli.Tests.Chat;
using VisionAgent.Evaluation.Tasks;
using VisionAgent.Testing;
using Xunit.Abstractions;

namespace VisionAgent.Cli.Tests;

/// <summary>
/// Mutated configuration and task files through the command line (in process, and a few as real processes):
/// exit 0 or 3, and on 3 one <c>error:</c> line per problem naming the file and line, never a stack trace.
/// Also the session list over a log with lines that are JSON but not objects.
/// </summary>
public sealed class HostileFileCliTests(ITestOutputHelper output) : IDisposable
{
    private const int InProcessCases = 40;
    private readonly string _folder = Directory.CreateTempSubdirectory("visionagent-cli-fuzz-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Mutated_configs_exit_0_or_3_with_file_and_line()
    {
        var seed = File.ReadAllText(Path.Combine(RepositoryPaths.Samples, "visionagent.ollama.yaml"));
        var mutator = new YamlMutator(seed: 17);
        var codes = new Dictionary<int, int>();
        for (var i = 0; i < InProcessCases; i++)
        {
            var path = Path.Combine(_folder, $"config-{i:D2}.yaml");
            var text = mutator.Mutate(seed);
            File.WriteAllText(path, text);

            var run = await CliRunner.RunAsync("tools", "--config", path);

            codes[run.ExitCode] = codes.GetValueOrDefault(run.ExitCode) + 1;
            AssertExitAndMessage(run.ExitCode, run.Error, path, text);
        }
        output.WriteLine($"config mutants through the CLI: {string.Join(", ", codes.OrderBy(c => c.Key).Select(c => $"exit {c.Key}: {c.Value}"))}");
        Assert.True(codes.GetValueOrDefault(ExitCodes.BadInput) > 0);
    }

    [Fact]
    public async Task Refused_task_files_exit_3_with_file_and_line()
    {
        var seedPath = Path.Combine(RepositoryPaths.SampleTasks, "image-info.yaml");
        var seed = File.ReadAllText(seedPath);
        var mutator = new YamlMutator(seed: 23);
        var tried = 0;
        for (var i = 0; tried < InProcessCases && i < InProcessCases * 20; i++)
        {
            var text = mutator.Mutate(seed);
            var path = Path.Combine(_folder, $"tasks-{i:D3}.yaml");
            // Only files the reader refuses: a file that loads would run its tasks, which is not the point here.
            if (!IsRefused(text, path)) continue;
            File.WriteAllText(path, text);
            tried++;

            var run = await CliRunner.RunAsync("eval", path, "--llm", "offline");

            Assert.Equal(ExitCodes.BadInput, run.ExitCode);
            AssertExitAndMessage(run.ExitCode, run.Error, path, text);
        }
        output.WriteLine($"refused task-file mutants through the CLI: {tried}, each exit 3 with file and line");
        Assert.Equal(InProcessCases, tried);
    }

    [Fact]
    public async Task A_few_hostile_files_through_the_real_process()
    {
        var deep = Path.Combine(_folder, "deep.yaml");
        File.WriteAllText(deep, "id: deep\nask: q\nexpect: any\ntags: " + new string('[', 30_000) + new string(']', 30_000) + "\n");
        var bomb = Path.Combine(_folder, "bomb.yaml");
        File.WriteAllText(bomb, "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + string.Concat(Enumerable.Range(1, 9).Select(i =>
            $"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]\n")) + "id: b\nask: q\nexpect: any\n");
        var emptySection = Path.Combine(_folder, "visionagent.yaml");
        File.WriteAllText(emptySection, "agent:\n  max_steps: 3\nllm:\n");
        var hugeRetries = Path.Combine(_folder, "retries.yaml");
        File.WriteAllText(hugeRetries, "llm:\n  max_retries: 2147483647\n");

        foreach (var (args, file, line) in new[]
                 {
                     (new[] { "eval", deep }, deep, 4),
                     (new[] { "eval", bomb }, bomb, 0),
                     (new[] { "tools", "--config", emptySection }, emptySection, 3),
                     (new[] { "ask", "--config", hugeRetries, "q" }, hugeRetries, 2),
                 })
        {
            using var cli = CliProcess.Start(Path.Combine(_folder, "home"), args);
            var stderr = await cli.Process.StandardError.ReadToEndAsync();
            await cli.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));

            output.WriteLine($"{args[0]} {Path.GetFileName(file)}: exit {cli.Process.ExitCode}: {stderr.Trim()}");
            Assert.Equal(ExitCodes.BadInput, cli.Process.ExitCode);
            var message = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Matches("^error: " + Regex.Escape(file) + (line > 0 ? $":{line}: " : @":\d+: "), message);
        }
    }

    [Fact]
    public void Session_list_passes_over_lines_that_are_json_but_not_events()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_folder, "sessions", "s1")).FullName;
        File.WriteAllLines(Path.Combine(folder, SessionLog.FileName),
        [
            "{\"event\":\"session_start\",\"time\":\"2026-12-01T10:00:00Z\",\"command\":\"ask\"}",
            "[1, 2, 3]",
            "\"just a string\"",
            "42",
            "null",
            "{\"event\": 5, \"question\": []}",
            "{\"event\":\"turn_start\",\"question\": {\"nested\": true}}",
            "{\"event\":\"turn_start\",\"question\":\"how big?\"}",
            "{\"event\":\"session_start\",\"time\": 7, \"command\": false}",
        ]);

        var session = Assert.Single(SessionCatalog.List(Path.Combine(_folder, "sessions")));

        Assert.Equal("s1", session.Id);
        Assert.Equal(2, session.Turns);
        Assert.Equal("how big?", session.FirstQuestion);
    }

    private static bool IsRefused(string text, string path)
    {
        try
        {
            TaskFileReader.Parse(text, path);
            return false;
        }
        catch (TaskFileException)
        {
            return true;
        }
    }

    private static void AssertExitAndMessage(int code, string stderr, string path, string input)
    {
        Assert.True(code is ExitCodes.Answered or ExitCodes.BadInput, $"exit {code}: {stderr} for input:\n{input}");
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        if (code == ExitCodes.Answered) return;
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.Matches("^(error: )?" + Regex.Escape(path) + @":\d+: \S", l));
    }
}
