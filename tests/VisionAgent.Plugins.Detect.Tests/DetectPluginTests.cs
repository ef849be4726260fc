using SixLabors.ImageSharp.PixelFormats;
using VisionAgent.Abstractions;
using VisionAgent.Imaging;
using VisionAgent.Onnx;
using VisionAgent.Testing;
using VisionAgent.Testing.Onnx;

namespace VisionAgent.Plugins.Detect.Tests;

public sealed class DetectPluginTests : IDisposable
{
    private const int Person = 0;
    private const int Cat = 15;
    private const int Dog = 16;
    private readonly TestExpertHost _host = new();
    private readonly ExpertManifest _manifest = ExpertManifestReader.ReadEmbedded(typeof(DetectExpertModule).Assembly);

    public DetectPluginTests() => _host.AddService(new OnnxSessionPool());

    // coffee.png is 600x400: letterboxed into 640x640 at scale 640/600, resized to 640x427, 106 rows of padding on top.
    private static YoloExportModel CoffeeScene()
    {
        var model = YoloExportModel.V8();
        model.SetV8(10, 320, 306, 200, 200, Person, 0.9f);    // A: (220,206)-(420,406) in the input
        model.SetV8(11, 330, 306, 200, 200, Person, 0.8f);    // B: IoU 0.90 with A, same class: suppressed
        model.SetV8(12, 320, 306, 200, 200, Dog, 0.6f);       // C: A's box, another class: kept
        model.SetV8(13, 100, 200, 100, 100, Person, 0.7f);    // D: (50,150)-(150,250)
        model.SetV8(14, 500, 500, 50, 50, Person, 0.1f);      // E: below the confidence threshold
        model.SetV8(8399, 600, 100, 100, 60, Cat, 0.5f);      // F: reaches into the top padding and past the right edge
        return model;
    }

    [Fact]
    public async Task V8_boxes_are_mapped_back_through_the_letterbox_after_class_aware_nms()
    {
        var plugin = CreatePlugin(CoffeeScene().Save(_host.PathFor("yolov8n.onnx")));
        var image = _host.Images.AddInput(RepositoryPaths.SampleImage("coffee.png"));

        var result = await plugin.DetectAsync(image.Handle);

        var report = Assert.IsType<DetectionReport>(result.Data);
        Assert.Equal("v8", report.Layout);
        Assert.Equal((640, 640), (report.InputWidth, report.InputHeight));
        Assert.Equal(["person", "person", "dog", "cat"], report.Detections.Select(d => d.Label));
        Assert.Equal([0.9f, 0.7f, 0.6f, 0.5f], report.Detections.Select(d => d.Score));
        AssertBox(new PixelBox(206.25f, 93.75f, 393.75f, 281.25f), report.Detections[0].Box);
        AssertBox(new PixelBox(46.875f, 41.25f, 140.625f, 135f), report.Detections[1].Box);
        AssertBox(new PixelBox(206.25f, 93.75f, 393.75f, 281.25f), report.Detections[2].Box);
        AssertBox(new PixelBox(515.625f, 0f, 600f, 22.5f), report.Detections[3].Box);
        Assert.Equal(0.34375f, report.Detections[0].Fraction.X1, 1e-4f);
        Assert.Equal(0.234375f, report.Detections[0].Fraction.Y1, 1e-4f);
        Assert.Equal(0.65625f, report.Detections[0].Fraction.X2, 1e-4f);
        Assert.Equal(0.703125f, report.Detections[0].Fraction.Y2, 1e-4f);
        Assert.Equal(new Dictionary<string, int> { ["person"] = 2, ["cat"] = 1, ["dog"] = 1 }, report.Counts);
        Assert.StartsWith("2 person, 1 cat, 1 dog; img1#det1 person 0.90 at (206,94)-(394,281); img1#det2 person 0.70 at (47,41)-(141,135)", result.Observation);
        Assert.True(result.ContainsUntrustedText);
    }

    [Fact]
    public async Task A_strip_wider_than_the_default_limit_is_detected_when_the_hosts_limits_allow_it()
    {
        using var host = new TestExpertHost(WideStrip.Limits).AddService(new OnnxSessionPool());
        host.Models.Add("detect", "model", CoffeeScene().Save(host.PathFor("yolov8n.onnx")));
        var image = host.Images.AddInput(WideStrip.Write(host.PathFor("strip.png")));
        var plugin = (DetectPlugin)new DetectExpertModule().CreatePlugin(host.CreateContext(_manifest));

        var result = await plugin.DetectAsync(image.Handle, annotate: false);

        var report = Assert.IsType<DetectionReport>(result.Data);
        Assert.Equal((WideStrip.Width, WideStrip.Height), (image.Width, image.Height));
        Assert.NotEmpty(report.Detections);
    }

    [Fact]
    public async Task Each_detection_is_registered_as_a_region_other_experts_can_use()
    {
        var plugin = CreatePlugin(CoffeeScene().Save(_host.PathFor("yolov8n.onnx")));
        var image = _host.Images.AddInput(RepositoryPaths.SampleImage("coffee.png"));

        var result = await plugin.DetectAsync(image.Handle);

        var report = (DetectionReport)result.Data!;
        Assert.Equal(["img1#det1", "img1#det2", "img1#det3", "img1#det4"], report.Detections.Select(d => d.Reference));
        Assert.True(_host.Images.TryGetRegion("img1#det3", out var region));
        Assert.Equal("dog", region.Label);
        Assert.Equal("img1", region.ImageHandle);
        Assert.Equal(report.Detections[2].Box, region.Box);
    }

    [Fact]
    public async Task Annotated_image_is_written_and_registered_with_boxes_drawn()
    {
        var plugin = CreatePlugin(CoffeeScene().Save(_host.PathFor("yolov8n.onnx")));
        var image = _host.Images.AddInput(RepositoryPaths.SampleImage("coffee.png"));

        var result = await plugin.DetectAsync(image.Handle);

        var annotated = Assert.Single(result.Images);
        Assert.Equal("img2", annotated.Handle);
        Assert.Equal("annotated", annotated.Kind);
        Assert.Equal("img1", annotated.Parent);
        Assert.Equal("detect", annotated.Operation);
        Assert.Equal((600, 400), (annotated.Width, annotated.Height));
        Assert.Equal("img2", ((DetectionReport)result.Data!).Annotated);
        Assert.EndsWith("annotated image img2", result.Observation);
        using var original = new ImageLoader().LoadRgb(image.Path);
        using var drawn = new ImageLoader().LoadRgb(annotated.Path);
        // The left edge of box D (x = 46.9, stroke 2 px) in the person colour; a corner far from every box untouched.
        AssertClose(new Rgb24(0xE6, 0x19, 0x4B), drawn[46, 100]);
        Assert.NotEqual(original[46, 100], drawn[46, 100]);
        Assert.Equal(original[590, 390], drawn[590, 390]);
        Assert.Equal(original[450, 350], drawn[450, 350]);
    }

    [Fact]
    public async Task Class_filter_keeps_only_the_named_classes()
    {
        var plugin = CreatePlugin(CoffeeScene().Save(_host.PathFor("yolov8n.onnx")));
        var image = _host.Images.AddInput(RepositoryPaths.SampleImage("coffee.png"));

        var result = await plugin.DetectAsync(image.Handle, classes: "dog, cat", annotate: false);

        var report = (DetectionReport)result.Data!;
        Assert.Equal(["dog", "cat"], report.Detections.Select(d => d.Label));
        Assert.Equal(["dog", "cat"], report.Classes);
        Assert.Empty(result.Images);
        Assert.Equal("1 cat, 1 dog; img1#det1 dog 0.60 at (206,94)-(394,281); img1#det2 cat 0.50 at (516,0)-(600,23)", result.Observation);
    }

    [Fact]
    public async Task Thresholds_and_max_boxes_apply()
    {
        var plugin = CreatePlugin(CoffeeScene().Save(_host.PathFor("yolov8n.onnx")));
        var image = _host.Images.AddInput(RepositoryPaths.SampleImage("coffee.png"));

        var strict = (DetectionReport)(await plugin.DetectAsync(image.Handle, confidence: 0.65f, annotate: false)).Data!;
        var loose = (DetectionReport)(await plugin.DetectAsync(image.Handle, iou: 0.95f, annotate: false)).Data!;
        var capped = (DetectionReport)(await plugin.DetectAsync(image.Handle, max_boxes: 2, annotate: false)).Data!;

        Assert.Equal([0.9f, 0.7f], strict.Detections.Select(d => d.Score));
        Assert.Equal([0.9f, 0.8f, 0.7f, 0.6f, 0.5f], loose.Detections.Select(d => d.Score));
        Assert.Equal([0.9f, 0.7f], capped.Detections.Select(d => d.Score));
    }

    [Fact]
    public async Task Unknown_class_names_the_known_ones()
    {
        var plugin = CreatePlugin(CoffeeScene().Save(_host.PathFor("yolov8n.onnx")));
        var image = _host.Images.AddInput(RepositoryPaths.SampleImage("coffee.png"));

        var error = await Assert.ThrowsAsync<BadInputException>(() => plugin.DetectAsync(image.Handle, classes: "unicorn"));

        Assert.StartsWith("unknown class 'unicorn'; known classes: person, bicycle, car", error.Message);
    }

    [Fact]
    public async Task Out_of_range_confidence_is_bad_input()
    {
        var plugin = CreatePlugin(CoffeeScene().Save(_host.PathFor("yolov8n.onnx")));
        var image = _host.Images.AddInput(RepositoryPaths.SampleImage("coffee.png"));

        var error = await Assert.ThrowsAsync<BadInputException>(() => plugin.DetectAsync(image.Handle, confidence: 1.5f));

        Assert.Equal("detect confidence must be between 0 and 1, not 1.5", error.Message);
    }

    [Fact]
    public async Task V5_layout_is_detected_from_the_shape_and_uses_objectness()
    {
        var model = YoloExportModel.V5();
        model.SetV5(100, 320, 306, 200, 200, objectness: 0.9f, Dog, probability: 0.5f);     // 0.45
        model.SetV5(101, 100, 200, 100, 100, objectness: 0.2f, Person, probability: 1f);    // objectness too low
        model.SetV5(25199, 100, 200, 100, 100, objectness: 0.8f, Person, probability: 0.9f); // 0.72
        var plugin = CreatePlugin(model.Save(_host.PathFor("yolov5s.onnx")));
        var image = _host.Images.AddInput(RepositoryPaths.SampleImage("coffee.png"));

        var report = (DetectionReport)(await plugin.DetectAsync(image.Handle, annotate: false)).Data!;

        Assert.Equal("v5", report.Layout);
        Assert.Equal(["person", "dog"], report.Detections.Select(d => d.Label));
        Assert.Equal(0.72f, report.Detections[0].Score, 5);
        Assert.Equal(0.45f, report.Detections[1].Score, 5);
        AssertBox(new PixelBox(46.875f, 41.25f, 140.625f, 135f), report.Detections[0].Box);
    }

    [Fact]
    public async Task Static_input_size_is_read_from_the_model()
    {
        // astronaut.png is 512x512: at 320 the scale is 0.625 with no padding.
        var model = YoloExportModel.V8(anchors: 2100, inputSize: 320);
        model.SetV8(0, 160, 160, 100, 50, Person, 0.8f);
        var plugin = CreatePlugin(model.Save(_host.PathFor("yolo320.onnx")));
        var image = _host.Images.AddInput(RepositoryPaths.SampleImage("astronaut.png"));

        var report = (DetectionReport)(await plugin.DetectAsync(image.Handle, annotate: false)).Data!;

        Assert.Equal((320, 320), (report.InputWidth, report.InputHeight));
        AssertBox(new PixelBox(176f, 216f, 336f, 296f), Assert.Single(report.Detections).Box);
    }

    [Fact]
    public async Task Labels_file_names_classes_of_a_model_without_metadata_and_is_trusted()
    {
        var model = YoloExportModel.V8(classes: 2, anchors: 8400);
        model.Names = null;
        model.SetV8(5, 320, 306, 200, 200, 1, 0.9f);
        var path = model.Save(_host.PathFor("custom.onnx"));
        File.WriteAllLines(_host.PathFor("labels.txt"), ["mug", "spoon", ""]);
        var plugin = CreatePlugin(path, new Dictionary<string, string> { ["labels_file"] = "labels.txt" });
        var image = _host.Images.AddInput(RepositoryPaths.SampleImage("coffee.png"));

        var result = await plugin.DetectAsync(image.Handle, classes: "spoon", annotate: false);

        Assert.Equal("spoon", Assert.Single(((DetectionReport)result.Data!).Detections).Label);
        Assert.False(result.ContainsUntrustedText);
    }

    [Fact]
    public async Task Model_without_names_reports_class_ids()
    {
        var model = YoloExportModel.V8(classes: 3, anchors: 8400);
        model.Names = null;
        model.SetV8(5, 320, 306, 200, 200, 2, 0.9f);
        var plugin = CreatePlugin(model.Save(_host.PathFor("anonymous.onnx")));
        var image = _host.Images.AddInput(RepositoryPaths.SampleImage("coffee.png"));

        var result = await plugin.DetectAsync(image.Handle, annotate: false);

        Assert.StartsWith("1 class2; img1#det1 class2 0.90", result.Observation);
        Assert.False(result.ContainsUntrustedText);
    }

    [Fact]
    public async Task Nothing_found_says_so()
    {
        var plugin = CreatePlugin(YoloExportModel.V8().Save(_host.PathFor("empty.onnx")));
        var image = _host.Images.AddInput(RepositoryPaths.SampleImage("coffee.png"));

        var result = await plugin.DetectAsync(image.Handle, classes: "person");

        Assert.Equal("no objects of person found in img1 above confidence 0.25", result.Observation);
        Assert.Empty(result.Images);
    }

    [Fact]
    public async Task Missing_model_names_the_install_command()
    {
        var plugin = (DetectPlugin)new DetectExpertModule().CreatePlugin(_host.CreateContext(_manifest));
        var image = _host.Images.AddInput(RepositoryPaths.SampleImage("coffee.png"));

        var error = await Assert.ThrowsAsync<ModelMissingException>(() => plugin.DetectAsync(image.Handle));

        Assert.Contains("visionagent models fetch detect", error.Message);
        Assert.Equal("model", error.ModelName);
    }

    [Fact]
    public async Task Unknown_handle_lists_the_valid_ones()
    {
        var plugin = CreatePlugin(CoffeeScene().Save(_host.PathFor("yolov8n.onnx")));
        _host.Images.AddInput(RepositoryPaths.SampleImage("coffee.png"));

        var error = await Assert.ThrowsAsync<UnknownHandleException>(() => plugin.DetectAsync("img7"));

        Assert.Contains("img1", error.Message);
    }

    [Fact]
    public void Manifest_declares_the_model_settings_and_routing()
    {
        Assert.Equal("detect", _manifest.Name);
        var model = _manifest.FindModel("model");
        Assert.NotNull(model);
        Assert.True(model.Required);
        Assert.False(model.AutoFetch);
        Assert.StartsWith("AGPL-3.0", model.License);
        Assert.All(model.Sources, s => Assert.StartsWith("https://", s.Url));
        Assert.Contains("/resolve/85bc8d7ab30d4065a41909d756c42819b67b4388/", model.Sources[0].Url);
        Assert.Equal("190ba5f1e61411a001683e349d6b2cdb0804c0dc67a5e34cd8ff6fd00ee54b4d", model.Sha256);
        Assert.Equal("0.25", _manifest.Settings["confidence"]);
        var examples = _manifest.Routing.SelectMany(r => r.Examples).ToList();
        Assert.Contains(examples, e => e.StartsWith("how many", StringComparison.Ordinal));
        Assert.Contains(examples, e => e.StartsWith("where is", StringComparison.Ordinal));
    }

    public void Dispose() => _host.Dispose();

    private DetectPlugin CreatePlugin(string modelPath, IReadOnlyDictionary<string, string>? settings = null)
    {
        _host.Models.Add("detect", "model", modelPath);
        return (DetectPlugin)new DetectExpertModule().CreatePlugin(_host.CreateContext(_manifest, settings));
    }

    private static void AssertBox(PixelBox expected, PixelBox actual)
    {
        Assert.Equal(expected.X1, actual.X1, 3);
        Assert.Equal(expected.Y1, actual.Y1, 3);
        Assert.Equal(expected.X2, actual.X2, 3);
        Assert.Equal(expected.Y2, actual.Y2, 3);
    }

    private static void AssertClose(Rgb24 expected, Rgb24 actual)
    {
        Assert.InRange(Math.Abs(expected.R - actual.R), 0, 12);
        Assert.InRange(Math.Abs(expected.G - actual.G), 0, 12);
        Assert.InRange(Math.Abs(expected.B - actual.B), 0, 12);
    }
}
