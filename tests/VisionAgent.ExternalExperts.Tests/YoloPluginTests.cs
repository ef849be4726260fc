using VisionAgent.Core.Configuration;
using VisionAgent.Testing.Onnx;

namespace VisionAgent.ExternalExperts.Tests;

public sealed class YoloPluginTests : IDisposable
{
    private readonly PluginTestFiles _files = new();

    [Fact]
    public async Task Manifest_only_yolo_detector_runs_the_detect_experts_code_under_its_own_name()
    {
        var folder = Path.Combine(_files.PluginsDirectory, "hat_finder");
        Directory.CreateDirectory(folder);
        // One confident "hat" at the centre of the 640x640 letterboxed input.
        YoloExportModel.V8(classes: 2, anchors: 16)
            .SetV8(3, cx: 320, cy: 320, w: 100, h: 100, classId: 1, score: 0.9f)
            .Save(Path.Combine(folder, "hats.onnx"));
        File.WriteAllText(Path.Combine(folder, "labels.txt"), "person\nhat\n");
        File.WriteAllText(Path.Combine(folder, "expert.yaml"), """
            name: hat_finder
            description: Finds hats.
            kind: yolo
            models:
              - name: model
                file: hats.onnx
            settings:
              labels_file: labels.txt
            """);
        var config = ConfigLoader.Parse($"plugins: [\"{_files.PluginsDirectory}\"]\n", "test");
        await using var host = await PluginTestFiles.CreateHostAsync(config, Path.Combine(_files.Root, "out"));
        host.Images.AddInput(_files.SolidImage("grey.png", 128, 128, 128));

        var outcome = await host.Invoker.InvokeAsync("hat_finder", new Dictionary<string, string> { ["image"] = "img1" }, null, CancellationToken.None);

        Assert.False(outcome.Failed, outcome.Observation);
        Assert.Contains("1 hat", outcome.Observation);
        Assert.Contains(host.Images.Regions, r => r.Reference == "img1#det1" && r.Label == "hat");
    }

    public void Dispose() => _files.Dispose();
}
