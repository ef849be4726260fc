using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using VisionAgent.Core.Agent;
using VisionAgent.Core.Configuration;
using VisionAgent.Testing.Llm;

namespace VisionAgent.ExternalExperts.Tests;

public sealed class McpTests : IDisposable
{
    private readonly PluginTestFiles _files = new();

    private string ServerConfig()
    {
        _files.ColourClassifierPlugin();
        return _files.Write("server.yaml", $"plugins: [\"{_files.PluginsDirectory}\"]\n");
    }

    [Fact]
    public async Task Mcp_client_lists_and_calls_our_experts_over_stdio()
    {
        var config = ServerConfig();
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "visionagent",
            Command = "dotnet",
            Arguments = [PluginTestFiles.CliDll, "--config", config, "--output", Path.Combine(_files.Root, "server-out"), "mcp"],
            WorkingDirectory = _files.Root,
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using var client = await McpClient.CreateAsync(transport, cancellationToken: timeout.Token);

        var tools = await client.ListToolsAsync(cancellationToken: timeout.Token);
        var byPath = await client.CallToolAsync("colour_classifier", new Dictionary<string, object?> { ["image"] = _files.SolidImage("blue.png", 0, 0, 255) }, cancellationToken: timeout.Token);
        var png = Convert.ToBase64String(await File.ReadAllBytesAsync(_files.SolidImage("green.png", 0, 255, 0)));
        var byBase64 = await client.CallToolAsync("colour_classifier", new Dictionary<string, object?> { ["image_base64"] = png, ["top_k"] = 1 }, cancellationToken: timeout.Token);
        var unknown = await client.CallToolAsync("colour_classifier", new Dictionary<string, object?> { ["image"] = "/no/such.png" }, cancellationToken: timeout.Token);

        Assert.Contains(tools, t => t.Name == "image_info");
        var classifier = Assert.Single(tools, t => t.Name == "colour_classifier");
        var properties = classifier.JsonSchema.GetProperty("properties");
        Assert.True(properties.TryGetProperty("image", out _));
        Assert.True(properties.TryGetProperty("image_base64", out _));
        Assert.Equal("integer", properties.GetProperty("top_k").GetProperty("type").GetString());
        Assert.Equal("object", classifier.ProtocolTool.OutputSchema?.GetProperty("type").GetString());
        Assert.NotEqual(true, byPath.IsError);
        // A plugin's labels are untrusted text for our own prompt, but an MCP client gets them plain.
        Assert.Contains("blue 0.58", Text(byPath));
        Assert.DoesNotContain(UntrustedTextMarker.Begin, Text(byPath));
        Assert.Contains("img1", Text(byPath));
        var top = byPath.StructuredContent!.Value.GetProperty("top");
        Assert.Equal("blue", top[0].GetProperty("label").GetString());
        Assert.InRange(top[0].GetProperty("probability").GetDouble(), 0.57, 0.59);
        Assert.Contains("img2: green 0.58", Text(byBase64));
        Assert.DoesNotContain("red", Text(byBase64));
        Assert.True(unknown.IsError);
        Assert.Contains("neither a file nor a known handle", Text(unknown));
    }

    [Fact]
    public async Task Configured_mcp_server_contributes_a_tool_that_the_agent_calls()
    {
        var serverConfig = ServerConfig();
        var config = ConfigLoader.Parse($$"""
            mcp_servers:
              vision:
                command: dotnet
                args: ["{{PluginTestFiles.CliDll}}", "--config", "{{serverConfig}}", "--output", "{{Path.Combine(_files.Root, "server-out")}}", "mcp"]
            """, "test");
        await using var host = await PluginTestFiles.CreateHostAsync(config, Path.Combine(_files.Root, "out"));
        host.Images.AddInput(_files.SolidImage("red.png", 255, 0, 0));
        var chat = new ScriptedChatService([
            "Thought: ask the MCP server.\nAction: vision.colour_classifier\nAction Input: {\"image\": \"img1\"}",
            "Thought: done.\nFinal Answer: red",
        ]);

        var result = await host.CreateSession(chat, PluginTestFiles.Scripted).AskAsync("Which colour?", null, CancellationToken.None);

        var expert = host.Registry.Experts.Single(e => e.Manifest.Name == "vision");
        Assert.Null(expert.LoadError);
        Assert.Contains(host.Registry.Tools, t => t.Name == "vision.image_info");
        var step = Assert.Single(result.Steps);
        Assert.False(step.Failed, step.Observation);
        Assert.StartsWith(UntrustedTextMarker.Begin, step.Observation);
        Assert.Contains("red", step.Observation);
        Assert.Equal("red", result.Answer);
    }

    [Fact]
    public async Task Mcp_server_that_does_not_start_is_a_broken_expert()
    {
        var config = ConfigLoader.Parse("mcp_servers:\n  ghost:\n    command: /no/such/program\n", "test");

        await using var host = await PluginTestFiles.CreateHostAsync(config, Path.Combine(_files.Root, "out"));

        var expert = host.Registry.Experts.Single(e => e.Manifest.Name == "ghost");
        Assert.Contains("failed to start", expert.LoadError);
    }

    private static string Text(CallToolResult result) => string.Join("\n", result.Content.OfType<TextContentBlock>().Select(t => t.Text));

    public void Dispose() => _files.Dispose();
}
