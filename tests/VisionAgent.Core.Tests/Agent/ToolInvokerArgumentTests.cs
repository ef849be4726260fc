using VisionAgent.Core.Agent;
using VisionAgent.Hosting;
using VisionAgent.Testing;

namespace VisionAgent.Core.Tests.Agent;

/// <summary>How the invoker matches argument names: wrappers lifted, casing forgiven, unknown names reported.</summary>
public sealed class ToolInvokerArgumentTests : IDisposable
{
    private readonly AgentHost _host;

    public ToolInvokerArgumentTests()
    {
        (_host, _) = TestHosts.Create();
        _host.Images.AddInput(RepositoryPaths.SampleImage("chelsea.png"));
    }

    public void Dispose() => TestHostFactory.Dispose(_host);

    [Theory]
    [InlineData("args", "{\"image\": \"img1\", \"label\": \"cat\"}")]
    [InlineData("Arguments", "{'image': 'img1', 'label': 'cat'}")]
    [InlineData("input", "{\"image\": \"img1\", \"label\": \"cat\"}")]
    [InlineData("tool_input", "{\"image\": \"img1\", \"label\": \"cat\"}")]
    public async Task Arguments_nested_under_a_wrapper_reach_the_tool(string wrapper, string inner)
    {
        var outcome = await Invoke(new() { [wrapper] = inner });

        Assert.False(outcome.Failed, outcome.Observation);
        Assert.Equal("img1 labelled cat", outcome.Observation);
    }

    [Fact]
    public async Task A_key_given_inside_and_beside_a_wrapper_is_refused()
    {
        var outcome = await Invoke(new() { ["image"] = "img1", ["args"] = "{\"image\": \"img2\"}" });

        Assert.True(outcome.Failed);
        Assert.Contains("'image' twice", outcome.Observation, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("minConfidence")]
    [InlineData("IMAGE")]
    [InlineData("Image")]
    public void Keys_are_normalised_across_casings(string key)
    {
        var normalised = ReActParser.NormaliseKey(key);

        Assert.Equal(key == "minConfidence" ? "min_confidence" : "image", normalised);
    }

    [Fact]
    public async Task Unknown_keys_are_named_with_the_valid_ones_even_when_a_required_one_is_missing()
    {
        var outcome = await Invoke(new() { ["picture"] = "img1" });

        Assert.True(outcome.Failed);
        Assert.Contains("no argument 'picture'", outcome.Observation, StringComparison.Ordinal);
        Assert.Contains("needs image", outcome.Observation, StringComparison.Ordinal);
        Assert.Contains("image, label?", outcome.Observation, StringComparison.Ordinal);
    }

    private Task<ToolOutcome> Invoke(Dictionary<string, string> arguments) =>
        _host.Invoker.InvokeAsync("probe.echo", arguments, null, CancellationToken.None);
}
