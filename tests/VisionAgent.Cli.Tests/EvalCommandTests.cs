using System.Xml;
using VisionAgent.Testing;

namespace VisionAgent.Cli.Tests;

public sealed class EvalCommandTests
{
    private static string Tasks => RepositoryPaths.SampleTasks;
    private static string Cassettes => RepositoryPaths.SampleCassettes;

    private static string TempFolder()
    {
        var path = Path.Combine(Path.GetTempPath(), "visionagent-eval-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    [Fact]
    public async Task Replaying_the_sample_cassettes_needs_no_llm_and_writes_four_reports()
    {
        var report = TempFolder();
        var total = Directory.GetFiles(Cassettes, "*.cassette.yaml").Length;

        var run = await CliRunner.RunAsync("eval", Tasks, "--replay", Cassettes, "--frozen-experts", "-j", "2", "--report", report);

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.Contains("pass rate 100.0%", run.Output, StringComparison.Ordinal);
        Assert.Matches(@"\[1/" + total + @"\] PASS [a-z-]+ \(\d+\.\d s\)", run.Error);
        Assert.Contains($"[{total}/{total}] PASS ", run.Error, StringComparison.Ordinal);
        var junit = new XmlDocument();
        junit.Load(Path.Combine(report, "junit.xml"));
        Assert.Equal(total, junit.SelectNodes("/testsuites/testsuite/testcase")!.Count);
        Assert.True(File.Exists(Path.Combine(report, "report.json")));
        Assert.True(File.Exists(Path.Combine(report, "report.md")));
        Assert.Contains("data:image/png;base64,", File.ReadAllText(Path.Combine(report, "report.html")), StringComparison.Ordinal);

        var compare = await CliRunner.RunAsync("eval", "compare", report, report);
        Assert.Equal(0, compare.ExitCode);
        Assert.Contains($"same {total}", compare.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Shards_replayed_apart_merge_into_one_report_with_the_full_counts()
    {
        var total = Directory.GetFiles(Cassettes, "*.cassette.yaml").Length;
        var folders = new[] { TempFolder(), TempFolder(), TempFolder() };
        var counts = new List<int>();
        for (var k = 0; k < 3; k++)
        {
            var run = await CliRunner.RunAsync("eval", Tasks, "--replay", Cassettes, "--frozen-experts", "--shard", $"{k + 1}/3", "--report", folders[k]);
            Assert.True(run.ExitCode == 0, run.Output + run.Error);
            counts.Add(System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(folders[k], "report.json"))).RootElement.GetProperty("tasks").GetArrayLength());
        }
        var merged = Path.Combine(TempFolder(), "merged");

        var merge = await CliRunner.RunAsync("eval", "merge", folders[0], folders[1], folders[2], "--report", merged);
        var again = await CliRunner.RunAsync("eval", "merge", folders[0], folders[1], folders[2], "--report", merged);
        var partial = await CliRunner.RunAsync("eval", "merge", folders[0], folders[2], "--report", Path.Combine(TempFolder(), "partial"));
        var badShard = await CliRunner.RunAsync("eval", Tasks, "--shard", "4/3");

        Assert.True(merge.ExitCode == 0, merge.Output + merge.Error);
        Assert.Equal(total, counts.Sum());
        Assert.Contains("pass rate 100.0%", merge.Output, StringComparison.Ordinal);
        Assert.Equal(total, System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(merged, "report.json"))).RootElement.GetProperty("summary").GetProperty("total").GetInt32());
        foreach (var file in new[] { "report.json", "report.md", "junit.xml", "report.html" }) Assert.True(File.Exists(Path.Combine(merged, file)), file);
        Assert.Equal(3, again.ExitCode);
        Assert.Contains("already holds a report", again.Error, StringComparison.Ordinal);
        Assert.Equal(3, partial.ExitCode);
        Assert.Contains("shard 2/3 missing", partial.Error, StringComparison.Ordinal);
        Assert.Equal(2, badShard.ExitCode);
    }

    [Fact]
    public async Task A_suite_below_min_pass_exits_6_and_meets_a_lower_threshold()
    {
        var folder = TempFolder();
        var image = RepositoryPaths.SampleImage("chelsea.png");
        File.WriteAllText(Path.Combine(folder, "t.yaml"), $"id: cat-size\nimages: ['{image}']\nask: How big is img1 in pixels?\nexpect: {{exact: tiny}}\n");

        var strict = await CliRunner.RunAsync("eval", folder, "--replay", Cassettes, "--frozen-experts");
        var lenient = await CliRunner.RunAsync("eval", folder, "--replay", Cassettes, "--frozen-experts", "--min-pass", "0");

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
