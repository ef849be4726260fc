using System.Text.Json;
using VisionAgent.Cli;

namespace VisionAgent.ExternalExperts.Tests;

/// <summary><c>eval</c> builds its hosts like <c>ask</c> does, so a plugin-folder expert is there for its tasks too.</summary>
public sealed class EvalPluginTests : IDisposable
{
    private readonly PluginTestFiles _files = new();

    [Fact]
    public async Task Eval_runs_a_task_that_must_call_a_plugin_folder_expert()
    {
        _files.ColourClassifierPlugin();
        var config = _files.Write("visionagent.yaml", $"plugins: [\"{_files.PluginsDirectory}\"]\n");
        var image = _files.SolidImage("red.png", 255, 0, 0);
        var task = _files.Write("tasks/colour.yaml", $"""
            id: red-colour
            images: ["{image}"]
            ask: which colour is it
            expect:
              contains_all: [red]
            tools:
              must_call: [colour_classifier]
            """);
        var report = Path.Combine(_files.Root, "report");
        var output = new StringWriter();
        var error = new StringWriter();

        var exit = await CliApp.RunAsync(["--config", config, "--llm", "offline", "--output", Path.Combine(_files.Root, "out"), "eval", task, "--report", report], output, error, CancellationToken.None);

        Assert.True(exit == 0, output.ToString() + error.ToString());
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(report, "report.json")));
        var turn = json.RootElement.GetProperty("tasks")[0].GetProperty("turns")[0];
        Assert.Contains("colour_classifier", turn.GetProperty("tools").EnumerateArray().Select(t => t.GetString()));
    }

    public void Dispose() => _files.Dispose();
}
