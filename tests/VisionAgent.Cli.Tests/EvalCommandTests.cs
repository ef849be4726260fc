using System.Xml;
using VisionAgent.Testing;

namespace VisionAgent.Cli.Tests;

public sealed class EvalCommandTests
{
    private static string Tasks => RepositoryPaths.SampleTasks;
    private static string Cassettes => RepositoryPaths.SampleCassettes;

    // Only image_info was installed when the sample cassettes were recorded; this config turns the other experts off.
    private static string Config => Path.Combine(Cassettes, "visionagent.yaml");

    private static string TempFolder()
    {
        var path = Path.Combine(Path.GetTempPath(), "visionagent-eval-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    [Fact]
    public async Task Replaying_the_sample_cassettes_needs_no_llm_and_writes_three_reports()
    {
        var report = TempFolder();

        var run = await CliRunner.RunAsync("eval", Tasks, "--filter", "tag:image_info", "--replay", Cassettes, "--frozen-experts", "-j", "2", "--report", report, "--config", Config);

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.Contains("pass rate 100.0%", run.Output, StringComparison.Ordinal);
        Assert.Contains("5/5", run.Error, StringComparison.Ordinal);
        var junit = new XmlDocument();
        junit.Load(Path.Combine(report, "junit.xml"));
        Assert.Equal(5, junit.SelectNodes("/testsuites/testsuite/testcase")!.Count);
        Assert.True(File.Exists(Path.Combine(report, "report.json")));
        Assert.True(File.Exists(Path.Combine(report, "report.md")));

        var compare = await CliRunner.RunAsync("eval", "compare", report, report);
        Assert.Equal(0, compare.ExitCode);
        Assert.Contains("same 5", compare.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_suite_below_min_pass_exits_6_and_meets_a_lower_threshold()
    {
        var folder = TempFolder();
        var image = RepositoryPaths.SampleImage("chelsea.png");
        File.WriteAllText(Path.Combine(folder, "t.yaml"), $"id: cat-size\nimages: ['{image}']\nask: How big is img1 in pixels?\nexpect: {{exact: tiny}}\n");

        var strict = await CliRunner.RunAsync("eval", folder, "--replay", Cassettes, "--frozen-experts", "--config", Config);
        var lenient = await CliRunner.RunAsync("eval", folder, "--replay", Cassettes, "--frozen-experts", "--min-pass", "0", "--config", Config);

        Assert.Equal(6, strict.ExitCode);
        Assert.Contains("expected 'tiny'", strict.Output, StringComparison.Ordinal);
        Assert.Equal(0, lenient.ExitCode);
    }

    [Fact]
    public async Task Schema_errors_exit_3_with_file_and_line_and_bad_flags_exit_2()
    {
        var folder = TempFolder();
        var file = Path.Combine(folder, "bad.yaml");
        File.WriteAllText(file, "id: x\nask: q\nexpect: {exact: a}\nwhat: 1\n");

        var bad = await CliRunner.RunAsync("eval", file);
        var usage = await CliRunner.RunAsync("eval", file, "--frozen-experts");

        Assert.Equal(3, bad.ExitCode);
        Assert.Contains($"{file}:4: unknown task key 'what'", bad.Error, StringComparison.Ordinal);
        Assert.Equal(2, usage.ExitCode);
    }
}
