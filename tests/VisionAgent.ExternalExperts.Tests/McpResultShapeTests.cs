using System.ComponentModel;
using System.Text.Json;
using Microsoft.SemanticKernel;
using ModelContextProtocol.Protocol;
using VisionAgent.Abstractions;
using VisionAgent.Core.Agent;
using VisionAgent.Core.Experts;
using VisionAgent.ExternalExperts.Mcp;
using VisionAgent.Testing;

namespace VisionAgent.ExternalExperts.Tests;

/// <summary>How <see cref="McpToolServer"/> turns an expert's result into what an MCP client gets, in process.</summary>
public sealed class McpResultShapeTests : IDisposable
{
    private readonly TestExpertHost _host = new();

    public sealed record Reading(string Image, string Word, double Score, Reading.Kind Quality)
    {
        public enum Kind { Sharp, Blurry }
    }

    /// <summary>An expert whose results are chosen by the test: declared, mistyped, undeclared, or holding NaN.</summary>
    public sealed class ShapesPlugin
    {
        [KernelFunction("declared"), Description("returns the declared type")]
        [ExpertData(typeof(Reading))]
        public Task<ExpertResult> DeclaredAsync([Description("image")] string image) => Task.FromResult(new ExpertResult
        {
            Observation = $"{image} says \"stop now\"",
            Data = new Reading(image, "stop now", 0.75, Reading.Kind.Blurry),
            ContainsUntrustedText = true,
        });

        [KernelFunction("mistyped"), Description("returns another type than it declares")]
        [ExpertData(typeof(Reading))]
        public Task<ExpertResult> MistypedAsync([Description("image")] string image) =>
            Task.FromResult(ExpertResult.Text("fine", new { image }));

        [KernelFunction("undeclared"), Description("declares nothing")]
        public Task<ExpertResult> UndeclaredAsync([Description("image")] string image) =>
            Task.FromResult(ExpertResult.Text("fine", new { image, count = 3 }));

        [KernelFunction("not_a_number"), Description("declares a type but holds NaN")]
        [ExpertData(typeof(Reading))]
        public Task<ExpertResult> NotANumberAsync([Description("image")] string image) =>
            Task.FromResult(ExpertResult.Text("fine", new Reading(image, "x", double.NaN, Reading.Kind.Sharp)));
    }

    private McpToolServer CreateServer()
    {
        var manifest = new ExpertManifest { Name = "shapes", Description = "test shapes" };
        var entry = new ExpertEntry(manifest, KernelPluginFactory.CreateFromObject(new ShapesPlugin(), "shapes"), "test");
        var registry = new ExpertRegistry([entry], _host.Models);
        return new McpToolServer(registry, new ToolInvoker(registry, _host.Images, new UntrustedTextMarker()), _host.Images);
    }

    private async Task<CallToolResult> CallAsync(McpToolServer server, string tool)
    {
        var image = RepositoryPaths.SampleImage("coins.png");
        return await server.CallAsync(tool, new Dictionary<string, JsonElement> { ["image"] = JsonSerializer.SerializeToElement(image) }, CancellationToken.None);
    }

    [Fact]
    public async Task Declared_data_is_structured_content_that_matches_its_schema()
    {
        var server = CreateServer();

        var result = await CallAsync(server, "shapes_declared");

        Assert.NotEqual(true, result.IsError);
        var text = Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text;
        Assert.Equal("img1 says \"stop now\"", text);
        var data = result.StructuredContent!.Value;
        Assert.Equal("stop now", data.GetProperty("word").GetString());
        Assert.Equal("blurry", data.GetProperty("quality").GetString());
        var schema = McpResultSchema.For(typeof(Reading));
        Assert.Equal("object", schema.GetProperty("type").GetString());
        var properties = schema.GetProperty("properties");
        Assert.Equal(data.EnumerateObject().Select(p => p.Name).Order(), properties.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal("number", properties.GetProperty("score").GetProperty("type").GetString());
        Assert.Equal(["sharp", "blurry"], properties.GetProperty("quality").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Data_that_is_not_the_declared_type_is_an_error_not_a_success()
    {
        var result = await CallAsync(CreateServer(), "shapes_mistyped");

        Assert.True(result.IsError);
        Assert.Null(result.StructuredContent);
        Assert.Contains("where it declares Reading", Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Data_holding_nan_is_an_error_not_a_success()
    {
        var result = await CallAsync(CreateServer(), "shapes_not_a_number");

        Assert.True(result.IsError);
        Assert.Contains("cannot be written as JSON", Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Undeclared_object_data_is_still_sent_without_a_schema()
    {
        var server = CreateServer();

        var result = await CallAsync(server, "shapes_undeclared");

        Assert.NotEqual(true, result.IsError);
        Assert.Equal(3, result.StructuredContent!.Value.GetProperty("count").GetInt32());
        Assert.Null(McpResultSchema.DeclaredType(server.Tools["shapes_undeclared"].Function));
        Assert.Equal(typeof(Reading), McpResultSchema.DeclaredType(server.Tools["shapes_declared"].Function));
    }

    public void Dispose() => _host.Dispose();
}
