using System.Xml;
using System.Xml.Linq;
using VisionAgent.Imaging;
using VisionAgent.Evaluation.Reports;
using VisionAgent.Evaluation.Scoring;
using VisionAgent.Testing;

namespace VisionAgent.Evaluation.Tests;

public sealed class HtmlReportTests : IClassFixture<EvalFixture>
{
    private readonly EvalFixture _fixture;

    public HtmlReportTests(EvalFixture fixture) => _fixture = fixture;

    private static SuiteReport Report(string missingImage)
    {
        var cat = RepositoryPaths.SampleImage("chelsea.png");
        TaskReport Task(string id, string status, string[] tags, params ProducedImage[] images) => new()
        {
            Id = id, File = "suite.yaml", Line = 2, Tags = tags, Status = status,
            Turns = [new TurnReport
            {
                Ask = $"question <{id}>", Answer = "answer & more", Expectation = "exact 'x'", Status = "answered", Passed = status == TaskOutcome.Passed,
                Checks = [new CheckResult("exact", status == TaskOutcome.Passed, "expected 'x'")], Images = images,
            }],
        };
        var tasks = new[]
        {
            Task("ok-1", TaskOutcome.Passed, ["size"], new ProducedImage { Handle = "img2", Kind = "mask", Path = cat, Width = 451, Height = 300 }),
            Task("bad-1", TaskOutcome.Failed, ["ocr", "size"], new ProducedImage { Handle = "img2", Kind = "edit", Path = missingImage, Width = 1, Height = 1 }),
            Task("ok-2", TaskOutcome.Passed, ["ocr"]),
            Task("err-1", TaskOutcome.Error, []),
        };
        return new SuiteReport { Mode = "live", Provider = "p", Model = "m", MinPass = 1, Tasks = tasks, Summary = SuiteSummary.From(tasks) };
    }

    private static XDocument Parse(string html) =>
        XDocument.Load(XmlReader.Create(new StringReader(html), new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore }));

    [Fact]
    public void The_page_is_self_contained_lists_failures_first_and_offers_tag_and_status_filters()
    {
        var html = HtmlReportWriter.Render(Report(Path.Combine(_fixture.Directory, "gone.png")), new ImageLoader());

        var page = Parse(html);
        var elements = page.Descendants().ToList();
        Assert.DoesNotContain(elements, e => e.Name.LocalName is "link" or "iframe" or "object" or "embed");
        Assert.All(elements.Where(e => e.Name.LocalName is "img" or "script"), e => Assert.True(e.Attribute("src") is null || e.Attribute("src")!.Value.StartsWith("data:image/png;base64,", StringComparison.Ordinal)));
        Assert.DoesNotContain("http", string.Concat(elements.SelectMany(e => e.Attributes()).Select(a => a.Value)), StringComparison.OrdinalIgnoreCase);

        var rows = elements.Where(e => e.Name.LocalName == "tr" && (string?)e.Attribute("class") is { } c && c.StartsWith("task", StringComparison.Ordinal)).ToList();
        Assert.Equal(["failed", "error", "passed", "passed"], rows.Select(r => (string)r.Attribute("data-status")!));
        Assert.Equal("ocr size", (string)rows[0].Attribute("data-tags")!);
        Assert.Contains("question <bad-1>", rows[0].Value, StringComparison.Ordinal);
        Assert.Contains("answer & more", rows[0].Value, StringComparison.Ordinal);
        Assert.Contains("exact 'x'", rows[0].Value, StringComparison.Ordinal);
        Assert.Contains("file not found", rows[0].Value, StringComparison.Ordinal);

        var options = elements.Where(e => e.Name.LocalName == "option").Select(e => (string)e.Attribute("value")!).ToList();
        Assert.Contains("not-passed", options);
        Assert.Contains("failed", options);
        Assert.Contains("ocr", options);
        Assert.Contains("size", options);
        Assert.Contains("applyFilters", elements.Single(e => e.Name.LocalName == "script").Value, StringComparison.Ordinal);
    }

    [Fact]
    public void Produced_images_are_embedded_as_small_png_thumbnails()
    {
        var page = Parse(HtmlReportWriter.Render(Report(Path.Combine(_fixture.Directory, "gone.png")), new ImageLoader()));

        var image = Assert.Single(page.Descendants(), e => e.Name.LocalName == "img");
        var bytes = Convert.FromBase64String(((string)image.Attribute("src")!)["data:image/png;base64,".Length..]);
        var file = Path.Combine(_fixture.NewFolder("thumb"), "t.png");
        File.WriteAllBytes(file, bytes);
        var header = new VisionAgent.Imaging.ImageLoader().Identify(file);
        Assert.Equal(("PNG", HtmlReportWriter.ThumbnailSide, 106), (header.Format, header.Width, header.Height));
    }

    [Fact]
    public async Task The_report_folder_holds_the_page_and_keeps_image_paths_relative_so_it_can_move()
    {
        var folder = _fixture.NewFolder("report");
        var produced = Path.Combine(folder, "work", "ok-1", "images", "001-img1-mask.png");
        Directory.CreateDirectory(Path.GetDirectoryName(produced)!);
        File.Copy(RepositoryPaths.SampleImage("chelsea.png"), produced);
        var report = Report(Path.Combine(folder, "missing.png"));
        report = report with { Tasks = [report.Tasks[0] with { Turns = [report.Tasks[0].Turns[0] with { Images = [report.Tasks[0].Turns[0].Images[0] with { Path = produced }] }] }, .. report.Tasks.Skip(1)] };

        await ReportWriter.WriteAsync(report, folder, new ImageLoader(), CancellationToken.None);
        var moved = folder + "-moved";
        Directory.Move(folder, moved);
        var read = ReportWriter.Read(moved);

        Assert.True(File.Exists(Path.Combine(moved, ReportWriter.HtmlFile)));
        Assert.Contains("\"path\": \"work/ok-1/images/001-img1-mask.png\"", File.ReadAllText(Path.Combine(moved, ReportWriter.JsonFile)), StringComparison.Ordinal);
        Assert.Equal(Path.Combine(moved, "work", "ok-1", "images", "001-img1-mask.png"), read.Tasks[0].Turns[0].Images[0].Path);
        Assert.Single(Parse(HtmlReportWriter.Render(read, new ImageLoader())).Descendants(), e => e.Name.LocalName == "img");
    }

    /// <summary>
    /// The filter script runs in Node (which the model store needs anyway) against a small stand-in for the page's
    /// DOM built from the rendered rows, so a syntax error or a wrong filter fails here rather than in a browser.
    /// </summary>
    [Fact]
    public async Task The_filters_show_only_rows_of_the_chosen_status_and_tag()
    {
        var page = Parse(HtmlReportWriter.Render(Report(Path.Combine(_fixture.Directory, "gone.png")), new ImageLoader()));
        var rows = page.Descendants().Where(e => e.Name.LocalName == "tr" && e.Attribute("data-status") is not null)
            .Select(r => $"{{id: '{r.Descendants().First(d => d.Name.LocalName == "b").Value}', dataset: {{status: '{(string)r.Attribute("data-status")!}', tags: '{(string)r.Attribute("data-tags")!}'}}, hidden: false}}");
        var script = page.Descendants().Single(e => e.Name.LocalName == "script").Value;
        var harness = $$"""
            const rows = [{{string.Join(", ", rows)}}];
            const listeners = {};
            const elements = {
              'status-filter': { value: '', addEventListener: (event, f) => { listeners.status = f; } },
              'tag-filter': { value: '', addEventListener: (event, f) => { listeners.tag = f; } },
              'shown': { textContent: '' },
            };
            globalThis.document = { getElementById: id => elements[id], querySelectorAll: selector => rows };
            {{script.Replace("//<![CDATA[", "", StringComparison.Ordinal).Replace("//]]>", "", StringComparison.Ordinal)}}
            const pick = (status, tag) => {
              elements['status-filter'].value = status;
              elements['tag-filter'].value = tag;
              listeners.tag();
              return rows.filter(r => !r.hidden).map(r => r.id).join(',') + ' | ' + elements['shown'].textContent;
            };
            console.log([pick('', ''), pick('not-passed', ''), pick('passed', 'ocr'), pick('', 'size'), pick('error', 'ocr')].join('\n'));
            """;
        var file = Path.Combine(_fixture.NewFolder("js"), "filters.js");
        await File.WriteAllTextAsync(file, harness);

        var start = new System.Diagnostics.ProcessStartInfo("node", [file]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var node = System.Diagnostics.Process.Start(start)!;
        var output = await node.StandardOutput.ReadToEndAsync();
        var error = await node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync();

        Assert.True(node.ExitCode == 0, error);
        Assert.Equal(
            [
                "bad-1,err-1,ok-1,ok-2 | 4 of 4 tasks shown",
                "bad-1,err-1 | 2 of 4 tasks shown",
                "ok-2 | 1 of 4 tasks shown",
                "bad-1,ok-1 | 2 of 4 tasks shown",
                " | 0 of 4 tasks shown",
            ],
            output.TrimEnd().Split('\n'));
    }
}
