using System.Globalization;
using static System.FormattableString;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Xml;
using System.Xml.Linq;
using VisionAgent.Abstractions;
using VisionAgent.Imaging;

namespace VisionAgent.Evaluation.Reports;

/// <summary>Writes a suite's report folder: report.json (the whole run), report.md and report.html (for people), junit.xml (for CI).</summary>
public static class ReportWriter
{
    public const string JsonFile = "report.json";
    public const string MarkdownFile = "report.md";
    public const string JUnitFile = "junit.xml";

    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        IgnoreReadOnlyProperties = false,
    };

    public const string HtmlFile = HtmlReportWriter.File;

    /// <summary>
    /// Writes report.json, report.md, junit.xml and report.html, each to a temporary name renamed into place.
    /// report.json names produced images relative to the folder when they lie under it, so the folder can move
    /// (a CI artifact) and still be read, merged and rendered. Thumbnails are read through <paramref name="loader"/>,
    /// the host's, so the user's image limits apply to them too.
    /// </summary>
    public static async Task WriteAsync(SuiteReport report, string directory, ImageLoader loader, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        await WriteFileAsync(Path.Combine(directory, JsonFile), Json(WithImagePaths(report, path => RelativeIfUnder(directory, path))), cancellationToken);
        await WriteFileAsync(Path.Combine(directory, MarkdownFile), Markdown(report), cancellationToken);
        await WriteFileAsync(Path.Combine(directory, JUnitFile), JUnit(report), cancellationToken);
        await WriteFileAsync(Path.Combine(directory, HtmlFile), HtmlReportWriter.Render(report, loader), cancellationToken);
    }

    public static string Json(SuiteReport report) => JsonSerializer.Serialize(report, JsonOptions);

    /// <summary>Reads report.json, given the file or the folder that holds it; image paths come back absolute.</summary>
    public static SuiteReport Read(string path)
    {
        var file = Directory.Exists(path) ? Path.Combine(path, JsonFile) : path;
        if (!File.Exists(file)) throw new BadInputException($"no report at {file}");
        var folder = Path.GetDirectoryName(Path.GetFullPath(file))!;
        try
        {
            var report = JsonSerializer.Deserialize<SuiteReport>(File.ReadAllText(file), JsonOptions)
                ?? throw new BadInputException($"{file} is empty");
            if (report.Tasks is null || report.Summary is null) throw new BadInputException($"{file} is not a VisionAgent report (no tasks or summary)");
            return WithImagePaths(report, image => Path.GetFullPath(Path.Combine(folder, image)));
        }
        catch (JsonException ex)
        {
            throw new BadInputException($"{file} is not a VisionAgent report ({ex.Message})", ex);
        }
    }

    public static string Markdown(SuiteReport report)
    {
        var s = report.Summary;
        var md = new StringBuilder();
        md.AppendLine("# VisionAgent evaluation").AppendLine();
        md.AppendLine(Invariant($"- Mode: {report.Mode}; LLM: {report.Provider} ({report.Model})"));
        if (report.Shard is not null) md.AppendLine(Invariant($"- Shard {report.Shard} of the suite"));
        if (report.MergedFrom.Count > 0) md.AppendLine(Invariant($"- Merged from {report.MergedFrom.Count} reports: {string.Join(", ", report.MergedFrom)}"));
        md.AppendLine(Invariant($"- Pass rate: {s.PassRate * 100:0.0}% ({s.Passed}/{s.Total}; failed {s.Failed}, errors {s.Errors}, diverged {s.Diverged}); threshold {report.MinPass * 100:0}%: {(report.MetThreshold ? "met" : "not met")}"));
        md.AppendLine(Invariant($"- Steps {s.Steps}, tool calls {s.ToolCalls}, tokens {s.Tokens}; task latency p50 {s.LatencyP50Ms} ms, p90 {s.LatencyP90Ms} ms, p99 {s.LatencyP99Ms} ms; total {report.DurationMs} ms"));
        md.AppendLine();
        if (s.ByTag.Count > 0)
        {
            md.AppendLine("| tag | passed | total | pass rate |").AppendLine("|---|---:|---:|---:|");
            foreach (var tag in s.ByTag) md.AppendLine(Invariant($"| {Cell(tag.Tag)} | {tag.Passed} | {tag.Total} | {tag.PassRate * 100:0.0}% |"));
            md.AppendLine();
        }
        md.AppendLine("| task | status | steps | tools | tokens | ms | reason |").AppendLine("|---|---|---:|---:|---:|---:|---|");
        foreach (var task in report.Tasks)
            md.AppendLine(Invariant($"| {Cell(task.Id)} | {task.Status} | {task.Steps} | {task.ToolCalls} | {task.Tokens} | {task.DurationMs} | {Cell(task.Reason())} |"));
        return md.ToString();
    }

    /// <summary>JUnit XML in the common Ant/Surefire shape: testsuites > testsuite > testcase with failure or error.</summary>
    public static string JUnit(SuiteReport report)
    {
        var s = report.Summary;
        var cases = report.Tasks.Select(task =>
        {
            var element = new XElement("testcase",
                new XAttribute("classname", "visionagent.eval." + Path.GetFileNameWithoutExtension(task.File)),
                new XAttribute("name", task.Id),
                new XAttribute("time", Seconds(task.DurationMs)));
            var detail = string.Join("\n", task.Turns.Select((t, i) =>
                $"turn {i + 1}: {t.Ask}\nanswer: {t.Answer}\n" + string.Join("\n", t.Checks.Select(c => $"  [{(c.Passed ? "pass" : "FAIL")}] {c.Name}: {c.Detail}"))));
            if (task.Status == TaskOutcome.Failed)
                element.Add(new XElement("failure", new XAttribute("message", Clean(task.Reason())), new XAttribute("type", "AnswerMismatch"), Clean(detail)));
            else if (task.Status is TaskOutcome.Error or TaskOutcome.Diverged)
                element.Add(new XElement("error", new XAttribute("message", Clean(task.Reason())), new XAttribute("type", task.Status == TaskOutcome.Diverged ? "ReplayDivergence" : "TaskError"), Clean(detail)));
            if (task.Tags.Count > 0)
                element.Add(new XElement("properties", task.Tags.Select(t => new XElement("property", new XAttribute("name", "tag"), new XAttribute("value", Clean(t))))));
            return element;
        });
        var suite = new XElement("testsuite",
            new XAttribute("name", "visionagent.eval"),
            new XAttribute("tests", s.Total),
            new XAttribute("failures", s.Failed),
            new XAttribute("errors", s.Errors + s.Diverged),
            new XAttribute("skipped", 0),
            new XAttribute("time", Seconds(report.DurationMs)),
            new XAttribute("timestamp", report.StartedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture)),
            cases);
        var root = new XElement("testsuites",
            new XAttribute("name", "visionagent eval"),
            new XAttribute("tests", s.Total),
            new XAttribute("failures", s.Failed),
            new XAttribute("errors", s.Errors + s.Diverged),
            new XAttribute("time", Seconds(report.DurationMs)),
            suite);
        var document = new XDocument(new XDeclaration("1.0", "utf-8", null), root);
        var builder = new StringBuilder();
        using (var writer = XmlWriter.Create(new Utf8StringWriter(builder), new XmlWriterSettings { Indent = true }))
            document.Save(writer);
        return builder.ToString();
    }

    private static async Task WriteFileAsync(string path, string text, CancellationToken cancellationToken)
    {
        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, text, cancellationToken);
        File.Move(temporary, path, overwrite: true);
    }

    private static SuiteReport WithImagePaths(SuiteReport report, Func<string, string> map) => report with
    {
        Tasks = report.Tasks.Select(t => t with
        {
            Turns = t.Turns.Select(u => u with { Images = u.Images.Select(i => i with { Path = map(i.Path) }).ToList() }).ToList(),
        }).ToList(),
    };

    private static string RelativeIfUnder(string directory, string path)
    {
        var relative = Path.GetRelativePath(Path.GetFullPath(directory), Path.GetFullPath(path));
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative.Replace('\\', '/');
    }

    private static string Seconds(long ms) => (ms / 1000.0).ToString("0.000", CultureInfo.InvariantCulture);

    /// <summary>Drops characters XML 1.0 cannot carry (control characters from model output).</summary>
    internal static string Clean(string text) => new(text.Where(XmlConvert.IsXmlChar).ToArray());

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    private sealed class Utf8StringWriter(StringBuilder builder) : StringWriter(builder, CultureInfo.InvariantCulture)
    {
        public override Encoding Encoding => new UTF8Encoding(false);
    }
}
