using System.Text.Json;
using VisionAgent.Core.Agent;
using VisionAgent.Core.Configuration;
using VisionAgent.Hosting;

namespace VisionAgent.ExternalExperts.Tests;

/// <summary>
/// Our MCP client against a server from the ecosystem: the reference <c>server-everything</c>, started through
/// <c>mcp_servers:</c> in the configuration, its tools called through the host as the agent calls them.
/// </summary>
public sealed class McpServerEverythingTests : IDisposable
{
    private readonly PluginTestFiles _files = new();

    [Fact]
    public async Task Every_content_kind_of_server_everything_becomes_a_datamarked_observation()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await McpNodePackages.EnsureInstalledAsync(timeout.Token);
        var config = ConfigLoader.Parse($"mcp_servers:\n  everything:\n    command: node\n    args: [\"{McpNodePackages.ServerEverything}\", \"stdio\"]\n", "test");
        await using var host = await PluginTestFiles.CreateHostAsync(config, Path.Combine(_files.Root, "out"));
        var expert = host.Registry.Experts.Single(e => e.Manifest.Name == "everything");
        Assert.Null(expert.LoadError);

        var echo = await CallAsync(host, "everything.echo", new() { ["message"] = "hello from the test" }, timeout.Token);
        var image = await CallAsync(host, "everything.get_tiny_image", [], timeout.Token);
        var links = await CallAsync(host, "everything.get_resource_links", new() { ["count"] = "2" }, timeout.Token);
        var structured = await CallAsync(host, "everything.get_structured_content", new() { ["location"] = "Chicago" }, timeout.Token);
        var embedded = await CallAsync(host, "everything.get_resource_reference", new() { ["resourceType"] = "Text", ["resourceId"] = "2" }, timeout.Token);
        var invalid = await CallAsync(host, "everything.get_sum", new() { ["a"] = "one", ["b"] = "2" }, timeout.Token);

        foreach (var outcome in new[] { echo, image, links, structured, embedded, invalid })
        {
            Assert.Contains(UntrustedTextMarker.Begin, outcome.Observation, StringComparison.Ordinal);
            if (!outcome.Failed) Assert.StartsWith(UntrustedTextMarker.Begin, outcome.Observation, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', ReActTranscript.WithoutNewImages(outcome.Observation));
        }
        Assert.False(echo.Failed, echo.Observation);
        Assert.Contains("hello^from^the^test", echo.Observation, StringComparison.Ordinal);

        Assert.False(image.Failed, image.Observation);
        var tiny = Assert.Single(image.Result!.Images);
        Assert.Equal((20, 20), (tiny.Width, tiny.Height));
        Assert.True(File.Exists(tiny.Path));
        Assert.Contains($"New images: {tiny.Handle}", image.Observation, StringComparison.Ordinal);

        Assert.False(links.Failed, links.Observation);
        Assert.Contains("[resource^link:", links.Observation, StringComparison.Ordinal);
        Assert.Equal(2, CountOf(links.Observation, "[resource^link:"));

        Assert.False(structured.Failed, structured.Observation);
        var weather = Assert.IsType<JsonElement>(structured.Result!.Data);
        Assert.Equal(36, weather.GetProperty("temperature").GetInt32());
        Assert.Equal($"{UntrustedTextMarker.Begin} {{\"temperature\":36,\"conditions\":\"Light^rain^/^drizzle\",\"humidity\":82}} {UntrustedTextMarker.End}", structured.Observation);

        Assert.False(embedded.Failed, embedded.Observation);
        Assert.Contains("[resource^", embedded.Observation, StringComparison.Ordinal);

        Assert.True(invalid.Failed);
        Assert.Contains("get_sum reported an error", invalid.Observation, StringComparison.Ordinal);
    }

    private static Task<ToolOutcome> CallAsync(AgentHost host, string tool, Dictionary<string, string> arguments, CancellationToken cancellationToken) =>
        host.Invoker.InvokeAsync(tool, arguments, null, cancellationToken);

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;

    public void Dispose() => _files.Dispose();
}
