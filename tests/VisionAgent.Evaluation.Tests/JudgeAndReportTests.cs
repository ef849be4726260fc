using System.Xml;
using VisionAgent.Imaging;
using VisionAgent.Core.Configuration;
using VisionAgent.Core.Llm;
using VisionAgent.Evaluation.Reports;
using VisionAgent.Evaluation.Running;
using VisionAgent.Evaluation.Scoring;
using VisionAgent.Evaluation.Tasks;
using VisionAgent.Testing.Llm;

namespace VisionAgent.Evaluation.Tests;

public sealed class JudgeAndReportTests : IClassFixture<EvalFixture>
{
    private readonly EvalFixture _fixture;

    public JudgeAndReportTests(EvalFixture fixture) => _fixture = fixture;

    [Theory]
    [InlineData("PASS: it mentions the cat", true)]
    [InlineData("FAIL: no cat", false)]
    public async Task Judge_scores_through_the_openai_connector(string verdict, bool passes)
    {
        using var server = new ScriptedChatServer([ScriptedResponse.Reply(verdict)]);
        var (chat, _, owner) = ChatServiceFactory.CreateOpenAi(new LlmConfig { Endpoint = server.Endpoint, Model = "judge", MaxRetries = 0 });
        using var _ = owner;

        var result = await new LlmJudge(chat).ScoreAsync("What is this?", new JudgeExpectation("Mentions a cat."), "A cat on a sofa.", CancellationToken.None);

        Assert.Equal(passes, result.Passed);
        var messages = server.Messages(0);
        Assert.Equal("system", messages[0].Role);
        Assert.Contains("Rubric: Mentions a cat.", messages[1].Content, StringComparison.Ordinal);
        Assert.Contains("Answer: A cat on a sofa.", messages[1].Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Judge_turns_are_recorded_and_replayed_without_the_judge()
    {
        var task = EvalFixture.SampleTasks()[0] with { Id = "judged" };
        task = task with { Turns = [task.Turns[0] with { Expect = new JudgeExpectation("Gives the size.") }] };
        var cassettes = _fixture.NewFolder("judge");
        var judge = new ScriptedChatService(["PASS: gives 451x300"]);
        await new SuiteRunner(EvalFixture.Options(_fixture.NewFolder("rec")) with { RecordDirectory = cassettes, Judge = _ => judge }).RunAsync([task], CancellationToken.None);

        var replay = await new SuiteRunner(EvalFixture.Options(_fixture.NewFolder("rep")) with { ReplayDirectory = cassettes, FrozenExperts = true }).RunAsync([task], CancellationToken.None);

        Assert.Single(judge.Calls);
        var check = replay.Tasks[0].Turns[0].Checks[0];
        Assert.Equal(("judge", true, "gives 451x300"), (check.Name, check.Passed, check.Detail));
    }

    private static SuiteReport SampleReport()
    {
        var turn = new TurnReport { Ask = "q", Answer = "a <b> & \u0001", Status = "answered", Passed = false, Checks = [new CheckResult("exact", false, "expected 'c'")], Steps = 2, Tools = ["image_info"], PromptTokens = 10, CompletionTokens = 5, DurationMs = 1200 };
        TaskReport Task(string id, string status, params string[] tags) => new()
        {
            Id = id, File = "/x/suite.yaml", Line = 3, Tags = tags, Status = status,
            Turns = [turn with { Passed = status == TaskOutcome.Passed, Checks = [new CheckResult("exact", status == TaskOutcome.Passed, "d")] }],
            DurationMs = 1500,
            Divergence = status == TaskOutcome.Diverged ? new VisionAgent.Evaluation.Recording.Divergence { Turn = 1, Step = 2, Kind = "llm_request", Message = 3, Role = "user", Expected = "x", Actual = "y" } : null,
        };
        var tasks = new[] { Task("a", TaskOutcome.Passed, "size"), Task("b", TaskOutcome.Failed, "size", "ocr"), Task("c", TaskOutcome.Diverged), Task("d", TaskOutcome.Error) };
        return new SuiteReport { Mode = "replay", Provider = "p", Model = "m", DurationMs = 6000, MinPass = 0.5, Tasks = tasks, Summary = SuiteSummary.From(tasks) };
    }

    [Fact]
    public void JUnit_xml_has_the_schema_shape_ci_parsers_expect()
    {
        var xml = ReportWriter.JUnit(SampleReport());
        var document = new XmlDocument();

        document.LoadXml(xml);

        var root = document.DocumentElement!;
        Assert.Equal("testsuites", root.Name);
        var suite = (XmlElement)root.SelectSingleNode("testsuite")!;
        Assert.Equal(("4", "1", "2", "0"), (suite.GetAttribute("tests"), suite.GetAttribute("failures"), suite.GetAttribute("errors"), suite.GetAttribute("skipped")));
        Assert.Equal(6.0, double.Parse(suite.GetAttribute("time"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(DateTime.TryParse(suite.GetAttribute("timestamp"), System.Globalization.CultureInfo.InvariantCulture, out _));
        var cases = suite.SelectNodes("testcase")!.Cast<XmlElement>().ToList();
        Assert.Equal(["a", "b", "c", "d"], cases.Select(c => c.GetAttribute("name")));
        Assert.All(cases, c => Assert.Equal("visionagent.eval.suite", c.GetAttribute("classname")));
        Assert.All(cases, c => Assert.Equal(1.5, double.Parse(c.GetAttribute("time"), System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Null(cases[0].SelectSingleNode("failure|error"));
        Assert.Equal("AnswerMismatch", ((XmlElement)cases[1].SelectSingleNode("failure")!).GetAttribute("type"));
        Assert.Equal("ReplayDivergence", ((XmlElement)cases[2].SelectSingleNode("error")!).GetAttribute("type"));
        Assert.Equal("TaskError", ((XmlElement)cases[3].SelectSingleNode("error")!).GetAttribute("type"));
        Assert.Contains("turn 1, step 2", ((XmlElement)cases[2].SelectSingleNode("error")!).GetAttribute("message"), StringComparison.Ordinal);
        Assert.Equal(["size", "ocr"], cases[1].SelectNodes("properties/property")!.Cast<XmlElement>().Select(p => p.GetAttribute("value")));
    }

    [Fact]
    public async Task Report_folder_holds_three_files_and_json_reads_back()
    {
        var folder = _fixture.NewFolder("report");
        var report = SampleReport();

        await ReportWriter.WriteAsync(report, folder, new ImageLoader(), CancellationToken.None);
        var read = ReportWriter.Read(folder);

        Assert.True(File.Exists(Path.Combine(folder, ReportWriter.MarkdownFile)));
        Assert.True(File.Exists(Path.Combine(folder, ReportWriter.JUnitFile)));
        Assert.Equal(ReportWriter.Json(report), ReportWriter.Json(read));
        Assert.Equal(0.25, read.Summary.PassRate);
        Assert.False(read.MetThreshold);
        Assert.Contains("| size | 1 | 2 | 50.0% |", File.ReadAllText(Path.Combine(folder, ReportWriter.MarkdownFile)), StringComparison.Ordinal);
    }

    [Fact]
    public void Compare_lists_better_worse_same_added_and_removed()
    {
        var before = SampleReport();
        var after = before with
        {
            Tasks = [before.Tasks[0] with { Status = TaskOutcome.Failed, Turns = [before.Tasks[1].Turns[0]] }, before.Tasks[1] with { Status = TaskOutcome.Passed, Turns = [before.Tasks[0].Turns[0]] }, before.Tasks[2], before.Tasks[3] with { Id = "e" }],
        };

        var comparison = ReportComparer.Compare(before, after);

        Assert.Equal(
            [("a", ReportComparer.Worse), ("b", ReportComparer.Better), ("c", ReportComparer.Same), ("d", ReportComparer.Removed), ("e", ReportComparer.Added)],
            comparison.Rows.Select(r => (r.Id, r.Change)));
        Assert.StartsWith("fails now: turn 1: exact: d", comparison.Rows[0].Detail, StringComparison.Ordinal);
        Assert.StartsWith("passes now; before: turn 1: exact: d", comparison.Rows[1].Detail, StringComparison.Ordinal);
        Assert.Empty(comparison.Warnings);
    }

    [Fact]
    public void Compare_keys_tasks_by_file_and_id_and_warns_about_duplicates()
    {
        var before = SampleReport();
        var twin = before.Tasks[0] with { File = "/y/other.yaml", Status = TaskOutcome.Failed };
        var after = before with { Tasks = [.. before.Tasks, twin, twin] };

        var comparison = ReportComparer.Compare(before, after);

        Assert.Equal(ReportComparer.Same, comparison.Rows.Single(r => r is { Id: "a", File: "/x/suite.yaml" }).Change);
        Assert.Equal([ReportComparer.Added, ReportComparer.Added], comparison.Rows.Where(r => r.File == "/y/other.yaml").Select(r => r.Change));
        Assert.Contains("also in /x/suite.yaml", comparison.Rows.First(r => r.File == "/y/other.yaml").Detail, StringComparison.Ordinal);
        Assert.Contains(comparison.Warnings, w => w.Contains("holds task 'a' of /y/other.yaml 2 times", StringComparison.Ordinal));
        Assert.Contains(comparison.Warnings, w => w.Contains("uses task id 'a' in 2 files", StringComparison.Ordinal));
    }

    [Fact]
    public void Compare_says_why_a_failing_task_got_better()
    {
        var before = SampleReport();
        var failed = before.Tasks[1];
        var twoTurns = failed with { Turns = [failed.Turns[0], failed.Turns[0]] };
        var improved = twoTurns with { Turns = [failed.Turns[0] with { Passed = true, Checks = [new CheckResult("exact", true, "d")] }, failed.Turns[0]] };

        var row = ReportComparer.Compare(before with { Tasks = [twoTurns] }, before with { Tasks = [improved] }).Rows.Single();

        Assert.Equal(ReportComparer.Better, row.Change);
        Assert.Equal("1 of 2 turns pass (was 0 of 2); now: turn 2: exact: d (answer: a <b> & \u0001)", row.Detail);
    }

    [Fact]
    public void Percentiles_use_nearest_rank()
    {
        long[] values = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];

        Assert.Equal((50L, 90L, 100L), (SuiteSummary.Percentile(values, 0.5), SuiteSummary.Percentile(values, 0.9), SuiteSummary.Percentile(values, 0.99)));
    }
}
