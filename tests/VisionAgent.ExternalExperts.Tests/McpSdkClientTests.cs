using System.Text.Json;
using System.Text.Json.Nodes;
using VisionAgent.Core.Agent;
using VisionAgent.ExternalExperts.Mcp;
using VisionAgent.Testing;

namespace VisionAgent.ExternalExperts.Tests;

/// <summary>
/// <c>visionagent mcp</c> as a real MCP host meets it: the CLI process over stdio, driven by the official TypeScript
/// SDK client, which validates every structuredContent against the tool's outputSchema itself.
/// </summary>
public sealed class McpSdkClientTests : IDisposable
{
    /// <summary>Built-in tools that need no weights, or only weights fetched on first use: they must run anywhere.</summary>
    private static readonly string[] RunnableEverywhere =
        ["image_info", "ocr", "segment", "edit_background", "edit_crop", "edit_resize", "edit_rotate", "edit_adjust", "edit_remove"];

    private readonly PluginTestFiles _files = new();

    [Fact]
    public async Task Sdk_client_gets_typed_results_for_every_built_in_tool()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        var chelsea = RepositoryPaths.SampleImage("chelsea.png");
        var coins = Convert.ToBase64String(await File.ReadAllBytesAsync(RepositoryPaths.SampleImage("coins.png"), timeout.Token));
        // Arguments for every built-in tool, so one that can run on this machine is called; the rest must say why not.
        var calls = new (string Tool, JsonObject Arguments)[]
        {
            ("image_info", new() { ["image_base64"] = coins }),
            ("ocr", new() { ["image"] = RepositoryPaths.SampleImage("page.png") }),
            ("segment", new() { ["image"] = chelsea }),
            ("edit_background", new() { ["image"] = chelsea, ["mask"] = "120,40,330,300", ["mode"] = "blur" }),
            ("edit_crop", new() { ["image"] = chelsea, ["box"] = "10,20,210,170" }),
            ("edit_resize", new() { ["image"] = chelsea, ["scale"] = 0.5 }),
            ("edit_rotate", new() { ["image"] = chelsea, ["degrees"] = 90 }),
            ("edit_adjust", new() { ["image"] = chelsea, ["brightness"] = 1.2 }),
            ("edit_remove", new() { ["image"] = chelsea, ["mask"] = "20,20,80,80" }),
            ("edit_inpaint", new() { ["image"] = chelsea, ["mask"] = "20,20,80,80", ["prompt"] = "grass", ["steps"] = 1 }),
            ("detect", new() { ["image"] = chelsea }),
            ("caption", new() { ["image"] = chelsea }),
        };
        var errors = new (string Tool, JsonObject Arguments)[]
        {
            ("ocr", new() { ["image"] = Path.Combine(_files.Root, "no-such.png") }),
            ("ocr", new() { ["image_base64"] = "not base64 at all" }),
            ("no_such_tool", new() { ["image"] = chelsea }),
        };
        var tamper = new JsonArray
        {
            new JsonObject { ["tool"] = "ocr", ["property"] = "image", ["value"] = "img1" },          // unchanged shape: the control
            new JsonObject { ["tool"] = "ocr", ["property"] = "lines", ["value"] = "none" },
            new JsonObject { ["tool"] = "image_info", ["property"] = "width", ["value"] = "wide" },
            new JsonObject { ["tool"] = "segment", ["property"] = "area_percent", ["value"] = new JsonObject() },
        };

        var report = await DriveAsync(calls.Concat(errors), tamper, timeout.Token);

        Assert.True(string.CompareOrdinal(report.GetProperty("protocolVersion").GetString(), "2025-06-18") >= 0, "structuredContent and outputSchema need protocol revision 2025-06-18 or later");
        Assert.Equal("visionagent", report.GetProperty("serverInfo").GetProperty("name").GetString());
        var tools = report.GetProperty("tools").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!);
        foreach (var (name, tool) in tools)
        {
            Assert.Equal("object", tool.GetProperty("inputSchema").GetProperty("type").GetString());
            Assert.True(tool.TryGetProperty("outputSchema", out var output), $"{name} has no outputSchema");
            Assert.Equal("object", output.GetProperty("type").GetString());
            Assert.True(output.GetProperty("properties").EnumerateObject().Any(), $"{name}'s outputSchema has no properties");
        }
        Assert.Equal(calls.Select(c => c.Tool).Order(), tools.Keys.Order());

        var results = report.GetProperty("calls").EnumerateArray().ToList();
        foreach (var ((tool, _), result) in calls.Zip(results))
        {
            var description = tools[tool].GetProperty("description").GetString()!;
            if (description.StartsWith("(Not available here", StringComparison.Ordinal))
            {
                Assert.DoesNotContain(tool, RunnableEverywhere);
                AssertError(result, "is not available here: it needs models");
                continue;
            }
            Assert.False(result.TryGetProperty("thrown", out var thrown), $"{tool}: the SDK client refused the result: {thrown}");
            Assert.False(result.GetProperty("isError").GetBoolean(), $"{tool} failed: {result.GetProperty("text")}");
            var text = result.GetProperty("text").GetString()!;
            Assert.False(string.IsNullOrWhiteSpace(text), $"{tool} returned no text");
            Assert.DoesNotContain(UntrustedTextMarker.Begin, text, StringComparison.Ordinal);
            Assert.Equal(JsonValueKind.Object, result.GetProperty("structuredContent").ValueKind);
            AssertProducedImages(tool, result);
        }
        foreach (var tool in RunnableEverywhere)
            Assert.False(tools[tool].GetProperty("description").GetString()!.StartsWith("(Not available", StringComparison.Ordinal), $"{tool} should run here");

        var info = Result(results, calls, "image_info").GetProperty("structuredContent");
        Assert.Equal(384, info.GetProperty("width").GetInt32());
        Assert.Equal(303, info.GetProperty("height").GetInt32());
        Assert.Equal("PNG", info.GetProperty("format").GetString());

        var ocr = Result(results, calls, "ocr");
        var lines = ocr.GetProperty("structuredContent").GetProperty("lines").EnumerateArray().ToList();
        Assert.True(lines.Count >= 5, $"expected the page's lines, got {lines.Count}");
        Assert.Contains(lines, l => l.GetProperty("text").GetString()!.Contains("segmentation", StringComparison.OrdinalIgnoreCase));
        foreach (var line in lines)
        {
            Assert.InRange(line.GetProperty("confidence").GetDouble(), 0.01, 1.0);
            var box = line.GetProperty("box");
            Assert.True(box.GetProperty("x2").GetDouble() > box.GetProperty("x1").GetDouble());
            Assert.Equal(4, line.GetProperty("quad").GetArrayLength());
        }
        // Plain text for the client: the words as read, not datamarked for our own prompt.
        Assert.Contains("Region-based segmentation", ocr.GetProperty("text").GetString(), StringComparison.Ordinal);

        var segment = Result(results, calls, "segment");
        var mask = segment.GetProperty("structuredContent");
        Assert.InRange(mask.GetProperty("area_percent").GetDouble(), 20, 95);
        Assert.Equal("isnet", mask.GetProperty("backend").GetString());
        Assert.Equal(3, segment.GetProperty("resourceLinks").GetArrayLength());
        var maskLink = segment.GetProperty("resourceLinks").EnumerateArray().Single(l => l.GetProperty("title").GetString() == mask.GetProperty("mask_handle").GetString());
        Assert.EndsWith(".png", maskLink.GetProperty("name").GetString(), StringComparison.Ordinal);

        var rotated = Result(results, calls, "edit_rotate").GetProperty("structuredContent");
        Assert.Equal((300, 451), (rotated.GetProperty("width").GetInt32(), rotated.GetProperty("height").GetInt32()));

        var failures = results.Skip(calls.Length).ToList();
        AssertError(failures[0], "is neither a file nor a known handle");
        AssertError(failures[1], "image_base64 is not valid base64");
        AssertError(failures[2], "unknown tool");

        var tampered = report.GetProperty("tampered").EnumerateArray().ToList();
        Assert.True(tampered[0].GetProperty("accepted").GetBoolean(), $"the stand-in replay of an untouched result was refused: {tampered[0].GetProperty("thrown")}");
        foreach (var wrong in tampered.Skip(1))
        {
            Assert.False(wrong.GetProperty("accepted").GetBoolean(), $"{wrong.GetProperty("tool")} with a wrong {wrong.GetProperty("property")} passed validation");
            Assert.Contains("does not match the tool's output schema", wrong.GetProperty("thrown").GetString(), StringComparison.Ordinal);
        }
    }

    /// <summary>Every produced image is a resource link to its file, and (under the cap) the same bytes as image content.</summary>
    private static void AssertProducedImages(string tool, JsonElement result)
    {
        var links = result.GetProperty("resourceLinks").EnumerateArray().ToList();
        var images = result.GetProperty("images").EnumerateArray().ToList();
        var producesImages = tool.StartsWith("edit_", StringComparison.Ordinal) || tool == "segment";
        Assert.Equal(producesImages, links.Count > 0);
        Assert.Equal(links.Count, images.Count);
        foreach (var (link, image) in links.Zip(images))
        {
            var uri = new Uri(link.GetProperty("uri").GetString()!);
            Assert.True(uri.IsFile, $"{tool}: {uri} is not a file URI");
            var file = new FileInfo(uri.LocalPath);
            Assert.True(file.Exists, $"{tool}: {file} does not exist");
            Assert.Equal(file.Length, link.GetProperty("size").GetInt64());
            Assert.Equal(file.Length, image.GetProperty("bytes").GetInt64());
            Assert.True(file.Length <= McpToolServer.MaxEmbeddedImageBytes);
            Assert.Equal("image/png", link.GetProperty("mimeType").GetString());
            Assert.Equal("image/png", image.GetProperty("mimeType").GetString());
        }
        Assert.Equal(producesImages, result.GetProperty("text").GetString()!.Contains("New images:", StringComparison.Ordinal));
    }

    private static void AssertError(JsonElement result, string expected)
    {
        Assert.False(result.TryGetProperty("thrown", out var thrown), $"an error result was refused by the client: {thrown}");
        Assert.True(result.GetProperty("isError").GetBoolean());
        var text = result.GetProperty("text").GetString()!;
        Assert.Contains(expected, text, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', text);
        Assert.Equal(JsonValueKind.Null, result.GetProperty("structuredContent").ValueKind);
    }

    private static JsonElement Result(List<JsonElement> results, (string Tool, JsonObject Arguments)[] calls, string tool) =>
        results[Array.FindIndex(calls, c => c.Tool == tool)];

    private async Task<JsonElement> DriveAsync(IEnumerable<(string Tool, JsonObject Arguments)> calls, JsonArray tamper, CancellationToken cancellationToken)
    {
        var spec = new JsonObject
        {
            ["command"] = "dotnet",
            ["args"] = new JsonArray(PluginTestFiles.CliDll, "--output", Path.Combine(_files.Root, "server-out"), "mcp"),
            ["cwd"] = _files.Root,
            ["env"] = new JsonObject { ["VISIONAGENT_HOME"] = Path.Combine(_files.Root, "home") },
            ["calls"] = new JsonArray(calls.Select(c => (JsonNode)new JsonObject { ["tool"] = c.Tool, ["arguments"] = c.Arguments.DeepClone() }).ToArray()),
            ["tamper"] = tamper,
        };
        var specPath = _files.Write("spec.json", spec.ToJsonString());
        var output = await McpNodePackages.RunNodeAsync(McpNodePackages.DriveServerScript, [specPath], TimeSpan.FromMinutes(7), cancellationToken);
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    public void Dispose() => _files.Dispose();
}
