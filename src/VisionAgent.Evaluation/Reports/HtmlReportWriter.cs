using System.Net;
using System.Text;
using VisionAgent.Abstractions;
using VisionAgent.Imaging;
using static System.FormattableString;

namespace VisionAgent.Evaluation.Reports;

/// <summary>
/// report.html: one self-contained page (styles, script and image thumbnails inline as data URIs, nothing fetched)
/// with the summary and a table of tasks, failures first, filterable by status and tag. It is also well-formed
/// XML, so tools (and tests) can read it with an XML parser.
/// </summary>
public static class HtmlReportWriter
{
    public const string File = "report.html";

    /// <summary>Longest side of an embedded thumbnail, in pixels.</summary>
    public const int ThumbnailSide = 160;

    private const string Style = """
        body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; }
        table { border-collapse: collapse; width: 100%; }
        th, td { border: 1px solid #ccc; padding: 0.3rem 0.5rem; vertical-align: top; text-align: left; }
        th { background: #f3f3f3; }
        tr.passed td.status { color: #1a7f37; }
        tr.failed td.status, tr.error td.status, tr.diverged td.status { color: #c62828; font-weight: bold; }
        .turn + .turn { border-top: 1px dashed #ccc; margin-top: 0.3rem; padding-top: 0.3rem; }
        .fail { color: #c62828; }
        .pass { color: #1a7f37; }
        .tags, .file { color: #666; font-size: 0.85em; }
        figure { display: inline-block; margin: 0 0.4rem 0.4rem 0; }
        figure img { max-width: 160px; max-height: 160px; background: repeating-conic-gradient(#ddd 0 25%, #fff 0 50%) 0 0 / 16px 16px; }
        figcaption { font-size: 0.8em; color: #555; }
        .filters { margin: 1rem 0; }
        .filters label { margin-right: 1rem; }
        """;

    // No '<' or '&' in the script, so the page stays well-formed XML without escaping.
    private const string Script = """
        function applyFilters() {
          var status = document.getElementById('status-filter').value;
          var tag = document.getElementById('tag-filter').value;
          var rows = document.querySelectorAll('tr.task');
          var shown = 0;
          rows.forEach(function (row) {
            var statusOk = status === '' || row.dataset.status === status || (status === 'not-passed' ? row.dataset.status !== 'passed' : false);
            var tagOk = tag === '' || row.dataset.tags.split(' ').indexOf(tag) !== -1;
            row.hidden = !(statusOk ? tagOk : false);
            if (!row.hidden) { shown++; }
          });
          document.getElementById('shown').textContent = shown + ' of ' + rows.length + ' tasks shown';
        }
        document.getElementById('status-filter').addEventListener('change', applyFilters);
        document.getElementById('tag-filter').addEventListener('change', applyFilters);
        applyFilters();
        """;

    public static string Render(SuiteReport report, ImageLoader loader)
    {
        var s = report.Summary;
        var html = new StringBuilder();
        html.AppendLine("<!DOCTYPE html>");
        html.AppendLine("<html lang=\"en\"><head><meta charset=\"utf-8\" /><title>VisionAgent evaluation</title>");
        html.Append("<style>").Append(Style).AppendLine("</style></head><body>");
        html.AppendLine("<h1>VisionAgent evaluation</h1>");
        html.Append("<p class=\"summary\">").Append(Text(Invariant(
            $"Pass rate {s.PassRate * 100:0.0}% ({s.Passed} of {s.Total} passed; failed {s.Failed}, errors {s.Errors}, diverged {s.Diverged}); threshold {report.MinPass * 100:0}%: {(report.MetThreshold ? "met" : "not met")}.")))
            .AppendLine("</p>");
        var shards = report.MergedFrom.Count > 0 ? $"; merged from {string.Join(", ", report.MergedFrom)}" : report.Shard is { } shard ? $"; shard {shard}" : "";
        html.Append("<p class=\"run\">").Append(Text(Invariant(
            $"Mode {report.Mode}; LLM {report.Provider} ({report.Model}){shards}; steps {s.Steps}, tool calls {s.ToolCalls}, tokens {s.Tokens}; task latency p50 {s.LatencyP50Ms} ms, p90 {s.LatencyP90Ms} ms; {report.DurationMs} ms in all.")))
            .AppendLine("</p>");

        var statuses = report.Tasks.Select(t => t.Status).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        html.Append("<div class=\"filters\"><label>Status <select id=\"status-filter\"><option value=\"\">all</option><option value=\"not-passed\">not passed</option>");
        foreach (var status in statuses) html.Append("<option value=\"").Append(Attribute(status)).Append("\">").Append(Text(status)).Append("</option>");
        html.Append("</select></label><label>Tag <select id=\"tag-filter\"><option value=\"\">all</option>");
        foreach (var tag in s.ByTag)
            html.Append("<option value=\"").Append(Attribute(tag.Tag)).Append("\">").Append(Text(Invariant($"{tag.Tag} ({tag.Passed}/{tag.Total})"))).Append("</option>");
        html.AppendLine("</select></label><span id=\"shown\"></span></div>");

        html.AppendLine("<table id=\"tasks\"><thead><tr><th>task</th><th>status</th><th>question and answer</th><th>expectation and checks</th><th>images</th></tr></thead><tbody>");
        foreach (var task in FailuresFirst(report.Tasks)) Row(html, task, loader);
        html.AppendLine("</tbody></table>");
        html.Append("<script>//<![CDATA[\n").Append(Script).AppendLine("//]]></script>");
        html.AppendLine("</body></html>");
        return html.ToString();
    }

    /// <summary>Tasks that did not pass come first; each group keeps the report's order.</summary>
    public static IReadOnlyList<TaskReport> FailuresFirst(IEnumerable<TaskReport> tasks) =>
        tasks.Select((t, i) => (t, i)).OrderBy(x => x.t.Passed ? 1 : 0).ThenBy(x => x.i).Select(x => x.t).ToList();

    private static void Row(StringBuilder html, TaskReport task, ImageLoader loader)
    {
        html.Append("<tr class=\"task ").Append(Attribute(task.Status)).Append("\" data-status=\"").Append(Attribute(task.Status))
            .Append("\" data-tags=\"").Append(Attribute(string.Join(" ", task.Tags))).Append("\">");
        html.Append("<td><b>").Append(Text(task.Id)).Append("</b><div class=\"file\">").Append(Text(Invariant($"{TaskKey.File(task)}:{task.Line}"))).Append("</div>");
        if (task.Tags.Count > 0) html.Append("<div class=\"tags\">").Append(Text(string.Join(", ", task.Tags))).Append("</div>");
        html.Append("</td><td class=\"status\">").Append(Text(task.Status)).Append("<div class=\"file\">").Append(Text(Invariant($"{task.DurationMs} ms"))).Append("</div></td>");

        html.Append("<td>");
        if (!task.Passed && task.Reason().Length > 0) html.Append("<div class=\"fail\">").Append(Text(task.Reason())).Append("</div>");
        foreach (var turn in task.Turns)
        {
            html.Append("<div class=\"turn\"><div><b>Q:</b> ").Append(Text(turn.Ask)).Append("</div><div><b>A:</b> ")
                .Append(Text(turn.Answer ?? "(no answer)")).Append("</div></div>");
        }
        html.Append("</td><td>");
        foreach (var turn in task.Turns)
        {
            html.Append("<div class=\"turn\"><div>").Append(Text(turn.Expectation ?? "")).Append("</div>");
            foreach (var check in turn.Checks)
            {
                html.Append("<div class=\"").Append(check.Passed ? "pass" : "fail").Append("\">").Append(check.Passed ? "✓ " : "✗ ")
                    .Append(Text($"{check.Name}: {check.Detail}")).Append("</div>");
            }
            html.Append("</div>");
        }
        html.Append("</td><td>");
        foreach (var image in task.Turns.SelectMany(t => t.Images)) Figure(html, image, loader);
        html.AppendLine("</td></tr>");
    }

    private static void Figure(StringBuilder html, ProducedImage image, ImageLoader loader)
    {
        var caption = Invariant($"{image.Handle}: {image.Kind} {image.Width}x{image.Height}");
        html.Append("<figure>");
        if (!System.IO.File.Exists(image.Path))
        {
            html.Append("<figcaption class=\"fail\">").Append(Text($"{caption} (file not found: {image.Path})")).Append("</figcaption></figure>");
            return;
        }
        try
        {
            var png = Convert.ToBase64String(Thumbnails.Png(image.Path, ThumbnailSide, loader));
            html.Append("<img src=\"data:image/png;base64,").Append(png).Append("\" alt=\"").Append(Attribute(caption))
                .Append("\" title=\"").Append(Attribute(image.Path)).Append("\" />");
            html.Append("<figcaption>").Append(Text(caption)).Append("</figcaption></figure>");
        }
        catch (VisionAgentException ex)
        {
            html.Append("<figcaption class=\"fail\">").Append(Text($"{caption} (unreadable: {ex.Message})")).Append("</figcaption></figure>");
        }
    }

    private static string Text(string text) => WebUtility.HtmlEncode(ReportWriter.Clean(text));

    private static string Attribute(string text) => Text(text);
}
