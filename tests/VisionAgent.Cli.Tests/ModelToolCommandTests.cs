using System.Text.Json;
using VisionAgent.Plugins.Caption;
using VisionAgent.Testing;
using VisionAgent.Testing.Onnx;

namespace VisionAgent.Cli.Tests;

/// <summary>The experts without obtainable weights, run from the command line on generated models of the real layouts.</summary>
public sealed class ModelToolCommandTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "visionagent-cli-models", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Detect_runs_any_yolo_export_given_with_model_path()
    {
        Directory.CreateDirectory(_folder);
        var model = YoloExportModel.V8(classes: 80, anchors: 64)
            .SetV8(0, cx: 320, cy: 320, w: 200, h: 120, classId: 41, score: 0.88f); // "cup" in the COCO names
        model.Names = YoloExportModel.CocoNames;
        var path = model.Save(Path.Combine(_folder, "yolo.onnx"));

        var run = await CliRunner.RunAsync("tool", "detect", "--image", RepositoryPaths.SampleImage("coffee.png"), "--model", path, "--json");

        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Output);
        Assert.Contains("1 cup", doc.RootElement.GetProperty("observation").GetString());
        var image = Assert.Single(doc.RootElement.GetProperty("images").EnumerateArray());
        Assert.Equal("annotated", image.GetProperty("kind").GetString());
        Assert.True(File.Exists(image.GetProperty("path").GetString()));
    }

    [Fact]
    public async Task Caption_runs_an_optimum_export_given_with_named_models()
    {
        var tokens = CaptionTokenizer.Gpt2Default().Encode("a cup of coffee");
        new VisionEncoderDecoderExport(CaptionScript.Sequence(tokens, 50256, 50256)).SaveAll(_folder, withPast: true, merged: false);

        var run = await CliRunner.RunAsync("tool", "caption", "--image", RepositoryPaths.SampleImage("coffee.png"),
            "--model", "encoder=" + Path.Combine(_folder, "encoder_model.onnx"),
            "--model", "decoder=" + Path.Combine(_folder, "decoder_model.onnx"),
            "--model", "decoder_with_past=" + Path.Combine(_folder, "decoder_with_past_model.onnx"), "--json");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("a cup of coffee", run.Output);
    }

    [Fact]
    public async Task Experts_without_models_name_the_install_command()
    {
        var run = await CliRunner.RunAsync("tool", "detect", "--image", RepositoryPaths.SampleImage("coffee.png"), "--offline");

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("visionagent models fetch detect", run.Error);
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }
}
