using VisionAgent.Core.Configuration;
using VisionAgent.ExternalExperts.Classifier;

namespace VisionAgent.ExternalExperts.Tests;

public sealed class RemoteExpertTests : IDisposable
{
    private readonly PluginTestFiles _files = new();

    private string RemotePlugin(string url, string timeout, string retries) =>
        _files.Write("plugins/remote_colours/expert.yaml", $"""
            name: remote_colours
            description: Which primary colour dominates, served by an inference server.
            kind: classifier
            remote:
              url: {url}
              model: colours
              version: "2"
              timeout_seconds: {timeout}
              retries: {retries}
              retry_delay_seconds: 0.05
              input: pixels
              output: logits
              processing: classifier
            settings:
              size: "2"
              labels: labels.txt
              top_k: "2"
            """);

    private async Task<VisionAgent.Core.Agent.ToolOutcome> ClassifyAsync()
    {
        _files.Write("plugins/remote_colours/labels.txt", "red\ngreen\nblue\n");
        var config = ConfigLoader.Parse($"plugins: [\"{_files.PluginsDirectory}\"]\n", "test");
        await using var host = await PluginTestFiles.CreateHostAsync(config, Path.Combine(_files.Root, "out"));
        host.Images.AddInput(_files.SolidImage("red.png", 255, 0, 0));
        return await host.Invoker.InvokeAsync("remote_colours", new Dictionary<string, string> { ["image"] = "img1" }, null, CancellationToken.None);
    }

    [Fact]
    public async Task Remote_classifier_retries_a_503_then_decodes_the_served_logits_locally()
    {
        using var server = new ScriptedInferenceServer(
            new InferenceReply(503, """{"error":"model is loading"}"""),
            new InferenceReply(200, ScriptedInferenceServer.Output("logits", 0f, 3f, 0f)));
        RemotePlugin(server.Url, "5", "2");

        var outcome = await ClassifyAsync();

        Assert.False(outcome.Failed, outcome.Observation);
        var data = Assert.IsType<ClassificationResult>(outcome.Result!.Data);
        Assert.Equal("green", data.Top[0].Label);
        Assert.Equal(MathF.Exp(3) / (MathF.Exp(3) + 2), data.Top[0].Probability, 4);
        Assert.Equal(2, data.Top.Count);
        var requests = server.Requests.ToList();
        Assert.Equal(["/v2/health/ready", "/v2/models/colours/versions/2/infer", "/v2/models/colours/versions/2/infer"], requests.Select(r => r.Path));
        Assert.Contains("\"name\":\"pixels\"", requests[1].Body);
        Assert.Contains("\"shape\":[1,3,2,2]", requests[1].Body);
        Assert.Contains("\"datatype\":\"FP32\"", requests[1].Body);
        Assert.Contains("\"data\":[1,1,1,1,0,0,0,0,0,0,0,0]", requests[1].Body);
    }

    [Fact]
    public async Task Remote_classifier_that_times_out_becomes_an_error_observation()
    {
        using var server = new ScriptedInferenceServer(
            new InferenceReply(200, ScriptedInferenceServer.Output("logits", 1f, 0f, 0f), TimeSpan.FromSeconds(10)));
        RemotePlugin(server.Url, "0.5", "0");
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();

        var outcome = await ClassifyAsync();

        Assert.True(outcome.Failed);
        Assert.Contains("timed out after 0.5 s", outcome.Observation);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(8), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task Remote_expert_reports_a_server_that_is_not_there()
    {
        RemotePlugin("http://127.0.0.1:9", "1", "0");

        var outcome = await ClassifyAsync();

        Assert.True(outcome.Failed);
        Assert.Contains("is not ready", outcome.Observation);
    }

    public void Dispose() => _files.Dispose();
}
