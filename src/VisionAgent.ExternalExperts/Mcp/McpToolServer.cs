using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.SemanticKernel;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using VisionAgent.Abstractions;
using VisionAgent.Core.Agent;
using VisionAgent.Core.Experts;

namespace VisionAgent.ExternalExperts.Mcp;

/// <summary>
/// Serves every ready expert as an MCP tool. The image argument is a file path, a handle returned earlier, or
/// <c>image_base64</c> data; every image is registered in this server's image store. A result is what an MCP
/// client expects, not our own prompt format: a plain-text summary, the expert's data as <c>structuredContent</c>
/// (described by the tool's <c>outputSchema</c>), each produced image as a resource link to its file and, up to
/// <see cref="MaxEmbeddedImageBytes"/>, as image content. Failures are <c>isError</c> results with a plain message.
/// A tool whose models are missing is still listed, so a client learns what it needs; calling it says so.
/// </summary>
public sealed class McpToolServer(ExpertRegistry registry, ToolInvoker invoker, IImageStore images)
{
    public const string ImageArgument = "image";
    public const string ImageBase64Argument = "image_base64";

    /// <summary>Produced images larger than this are only linked, not embedded (base64 grows them by a third).</summary>
    public const long MaxEmbeddedImageBytes = 4L * 1024 * 1024;

    private const long MaxBase64Bytes = 64L * 1024 * 1024;

    /// <summary>The served tools: MCP name (dots become underscores) to the registry's tool.</summary>
    public IReadOnlyDictionary<string, ToolDescriptor> Tools { get; } = registry.Tools
        .Where(t => t.Expert.Loaded)
        .ToDictionary(t => t.Name.Replace('.', '_'), StringComparer.Ordinal);

    public McpServerOptions CreateOptions(string version) => new()
    {
        ServerInfo = new Implementation { Name = "visionagent", Version = version },
        Capabilities = new ServerCapabilities { Tools = new ToolsCapability() },
        Handlers = new McpServerHandlers
        {
            ListToolsHandler = (request, _) =>
            {
                RequireInitialized(request.Server);
                return ValueTask.FromResult(new ListToolsResult { Tools = Tools.Select(t => Describe(t.Key, t.Value, registry.Unavailable(t.Value))).ToList() });
            },
            CallToolHandler = (request, ct) =>
            {
                RequireInitialized(request.Server);
                return new ValueTask<CallToolResult>(CallAsync(request.Params?.Name ?? "", request.Params?.Arguments, ct));
            },
        },
    };

    /// <summary>Serves over stdin/stdout until the client closes the stream or <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunStdioAsync(string version, CancellationToken cancellationToken)
    {
        var options = CreateOptions(version);
        var transport = new StdioServerTransport(options, loggerFactory: null);
        await using (transport.ConfigureAwait(false))
        {
            var server = McpServer.Create(transport, options);
            await using (server.ConfigureAwait(false))
            {
                await server.RunAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The protocol starts with initialize; a client that skips it is refused rather than served blind.</summary>
    private static void RequireInitialized(McpServer server)
    {
        if (server.ClientInfo is null)
            throw new McpProtocolException("the client must send initialize first", McpErrorCode.InvalidRequest);
    }

    public async Task<CallToolResult> CallAsync(string name, IDictionary<string, JsonElement>? arguments, CancellationToken cancellationToken)
    {
        if (!Tools.TryGetValue(name, out var tool))
            return Error($"unknown tool {QuotedText.Excerpt(name)}; tools: {string.Join(", ", Tools.Keys)}");
        if (registry.Unavailable(tool) is { } unavailable)
            return Error($"{name} is not available here: it {unavailable}");
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        try
        {
            foreach (var (key, value) in arguments ?? new Dictionary<string, JsonElement>())
            {
                if (key == ImageBase64Argument) values[ImageArgument] = RegisterBase64(StringArgument(key, value));
                else if (key == ImageArgument) values[ImageArgument] = RegisterImage(StringArgument(key, value));
                else values[key] = value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : value.GetRawText();
            }
        }
        catch (VisionAgentException ex)
        {
            return Error(ex.Message);
        }
        var outcome = await invoker.InvokeAsync(tool.Name, values, null, cancellationToken).ConfigureAwait(false);
        if (outcome.Failed || outcome.Result is not { } result)
            return Error(outcome.Problem ?? outcome.Observation);
        var declared = McpResultSchema.DeclaredType(tool.Function);
        if (McpResultSchema.Mismatch(result.Data, declared) is { } mismatch)
            return Error($"{tool.Name}: {mismatch}");

        // The summary is the expert's own text: the datamarking of untrusted text is for our prompt, not for clients.
        var content = new List<ContentBlock> { new TextContentBlock { Text = ReActTranscript.Success(result.Observation, result.Images) } };
        foreach (var image in result.Images)
        {
            var file = new FileInfo(image.Path);
            var mimeType = McpImageFiles.MimeType(image.Path);
            content.Add(new ResourceLinkBlock
            {
                Uri = new Uri(file.FullName).AbsoluteUri,
                Name = file.Name,
                Title = image.Handle,
                Description = $"{image.Kind} of {image.Parent} by {image.Operation}, {image.Width}x{image.Height}",
                MimeType = mimeType,
                Size = file.Length,
            });
            if (file.Length <= MaxEmbeddedImageBytes)
                content.Add(ImageContentBlock.FromBytes(await File.ReadAllBytesAsync(file.FullName, cancellationToken).ConfigureAwait(false), mimeType));
        }
        JsonElement? structured;
        try
        {
            structured = McpResultSchema.Serialize(result.Data, declared);
        }
        catch (ArgumentException ex)
        {
            // JSON has no NaN or infinity: a result holding one cannot be sent as the schema says.
            return Error($"{tool.Name}: its data cannot be written as JSON ({ex.Message})");
        }
        return new CallToolResult { Content = content, StructuredContent = structured };
    }

    private static string StringArgument(string key, JsonElement value) => value.ValueKind == JsonValueKind.String
        ? value.GetString() ?? ""
        : throw new BadInputException($"{key} must be a string, not {value.ValueKind.ToString().ToLowerInvariant()}");

    private string RegisterImage(string value)
    {
        if (images.TryGet(value, out var known)) return known.Handle;
        if (!File.Exists(value)) throw new BadInputException($"image {QuotedText.Excerpt(value)} is neither a file nor a known handle");
        return images.AddInput(Path.GetFullPath(value)).Handle;
    }

    private string RegisterBase64(string data)
    {
        var comma = data.StartsWith("data:", StringComparison.Ordinal) ? data.IndexOf(',', StringComparison.Ordinal) : -1;
        if (comma >= 0) data = data[(comma + 1)..];
        if (data.Length > MaxBase64Bytes * 4 / 3) throw new BadInputException("image_base64 is too large");
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(data);
        }
        catch (FormatException ex)
        {
            throw new BadInputException("image_base64 is not valid base64", ex);
        }
        return McpImageFiles.SaveAsInput(images, bytes, "upload").Handle;
    }

    private static Tool Describe(string name, ToolDescriptor tool, string? unavailable)
    {
        var properties = new JsonObject();
        var required = new JsonArray();
        foreach (var parameter in tool.Parameters)
        {
            if (parameter.Name == ImageArgument)
            {
                properties[ImageArgument] = new JsonObject { ["type"] = "string", ["description"] = "image file path (or a handle such as img1 returned earlier)" };
                properties[ImageBase64Argument] = new JsonObject { ["type"] = "string", ["description"] = "the image as base64 data, instead of image" };
                continue;
            }
            properties[parameter.Name] = new JsonObject { ["type"] = JsonType(parameter), ["description"] = parameter.Description ?? "" };
            if (parameter.IsRequired) required.Add(parameter.Name);
        }
        var schema = new JsonObject { ["type"] = "object", ["properties"] = properties, ["required"] = required };
        var declared = McpResultSchema.DeclaredType(tool.Function);
        var description = string.IsNullOrWhiteSpace(tool.Function.Description) ? tool.Expert.Manifest.Description : tool.Function.Description;
        return new Tool
        {
            Name = name,
            Description = unavailable is null ? description : $"(Not available here: it {unavailable}.) {description}",
            InputSchema = JsonSerializer.SerializeToElement(schema),
            OutputSchema = declared is null ? null : McpResultSchema.For(declared),
        };
    }

    private static string JsonType(KernelParameterMetadata parameter) => parameter.ParameterType switch
    {
        { } t when t == typeof(int) || t == typeof(long) => "integer",
        { } t when t == typeof(float) || t == typeof(double) || t == typeof(decimal) => "number",
        { } t when t == typeof(bool) => "boolean",
        _ => "string",
    };

    private static CallToolResult Error(string message) =>
        new() { Content = [new TextContentBlock { Text = message }], IsError = true };
}
