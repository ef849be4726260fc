using System.Globalization;
using System.Text.Json;
using Microsoft.SemanticKernel;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using VisionAgent.Abstractions;
using VisionAgent.Core.Agent;
using VisionAgent.Core.Configuration;
using VisionAgent.Core.Experts;

namespace VisionAgent.ExternalExperts.Mcp;

/// <summary>A configured MCP server: its client and tools once started, or why it could not start.</summary>
public sealed record McpServerConnection(string Name, McpClient? Client, IReadOnlyList<McpClientTool> Tools, string? Error);

/// <summary>
/// Starts the MCP servers listed in visionagent.yaml (<c>mcp_servers</c>) over stdio and turns each into an
/// expert whose functions call the server's tools. Everything the server wrote (tool and parameter descriptions,
/// results, error text) reaches the model datamarked as untrusted text.
/// </summary>
public sealed class McpServerExperts : IAsyncDisposable
{
    private const int MaxDescriptionLength = 300;
    private const int MaxErrorLength = 200;
    private const int MaxObservationLength = 2000;
    private static readonly UntrustedTextMarker Marker = new();

    private McpServerExperts(IReadOnlyList<McpServerConnection> servers) => Servers = servers;

    public IReadOnlyList<McpServerConnection> Servers { get; }

    public static McpServerExperts None { get; } = new([]);

    public static async Task<McpServerExperts> StartAsync(IReadOnlyDictionary<string, McpServerConfig> servers, TimeSpan startTimeout, CancellationToken cancellationToken)
    {
        var connections = new List<McpServerConnection>();
        foreach (var (name, config) in servers.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(startTimeout);
            McpClient? client = null;
            try
            {
                var transport = new StdioClientTransport(new StdioClientTransportOptions
                {
                    Name = name,
                    Command = config.Command,
                    Arguments = config.Args,
                    EnvironmentVariables = config.Env.ToDictionary(e => e.Key, e => (string?)e.Value),
                });
                client = await McpClient.CreateAsync(transport, cancellationToken: timeout.Token).ConfigureAwait(false);
                var tools = await client.ListToolsAsync(cancellationToken: timeout.Token).ConfigureAwait(false);
                connections.Add(new McpServerConnection(name, client, tools.ToList(), null));
            }
            catch (Exception ex) when (ex is not OutOfMemoryException && !cancellationToken.IsCancellationRequested)
            {
                // A server that does not start is reported by `tools` like a broken plugin, never fatal.
                if (client is not null) await client.DisposeAsync().ConfigureAwait(false);
                var why = ex is OperationCanceledException ? $"did not answer within {startTimeout.TotalSeconds:0} s" : $"{ex.GetType().Name}: {ex.Message.Split('\n')[0]}";
                connections.Add(new McpServerConnection(name, null, [], $"MCP server '{config.Command}' failed to start: {why}"));
            }
        }
        return new McpServerExperts(connections);
    }

    public IEnumerable<ExpertEntry> CreateEntries(IImageStore images)
    {
        foreach (var server in Servers)
        {
            var expertName = ToolName(server.Name);
            var manifest = new ExpertManifest
            {
                Name = expertName,
                Description = $"Tools of the MCP server '{server.Name}': " + string.Join("; ", server.Tools.Select(t => $"{ToolName(t.Name)}: {MarkDescription(t.Description)}")),
                Kind = ExpertRegistry.McpKind,
            };
            var origin = $"mcp server {server.Name}";
            if (server.Client is null || server.Error is not null)
            {
                yield return new ExpertEntry(manifest, null, origin, server.Error ?? "not started");
                continue;
            }
            var functions = server.Tools.Select(t => CreateFunction(server.Client, t, images)).ToList();
            yield return functions.Count == 0
                ? new ExpertEntry(manifest, null, origin, "the server lists no tools")
                : new ExpertEntry(manifest, KernelPluginFactory.CreateFromFunctions(expertName, manifest.Description, functions), origin);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in Servers)
        {
            if (server.Client is not null) await server.Client.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static KernelFunction CreateFunction(McpClient client, McpClientTool tool, IImageStore images)
    {
        var schema = ParameterSchema.From(tool.JsonSchema);
        var parameters = schema.Select(p => new KernelParameterMetadata(p.Name)
        {
            Description = p.Description is null ? null : MarkDescription(p.Description),
            IsRequired = p.Required,
            ParameterType = typeof(string),
        }).ToList();
        return KernelFunctionFactory.CreateFromMethod(
            (KernelArguments arguments, CancellationToken cancellationToken) => CallAsync(client, tool, schema, images, arguments, cancellationToken),
            ToolName(tool.Name),
            MarkDescription(tool.Description),
            parameters,
            new KernelReturnParameterMetadata { ParameterType = typeof(ExpertResult) });
    }

    private static async Task<ExpertResult> CallAsync(McpClient client, McpClientTool tool, IReadOnlyList<ParameterSchema> schema, IImageStore images, KernelArguments arguments, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        string? parent = null;
        foreach (var parameter in schema)
        {
            if (!arguments.TryGetValue(parameter.Name, out var raw) || raw is null) continue;
            var value = Convert.ToString(raw, CultureInfo.InvariantCulture) ?? "";
            // The LLM names images by handle; the server gets the file behind it.
            if (images.TryGet(value, out var record))
            {
                values[parameter.Name] = record.Path;
                parent ??= record.Handle;
                continue;
            }
            values[parameter.Name] = parameter.Convert(value);
        }
        var result = await client.CallToolAsync(tool.Name, values, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (result.IsError == true)
        {
            var error = string.Join("\n", result.Content.OfType<TextContentBlock>().Select(t => t.Text));
            throw new VisionAgentException($"{ToolName(tool.Name)} reported an error: {Marker.Mark(Truncate(error, MaxErrorLength))}");
        }
        var lines = new List<string>();
        var produced = new List<ImageRecord>();
        foreach (var block in result.Content)
        {
            switch (block)
            {
                case TextContentBlock text:
                    lines.Add(text.Text);
                    break;
                case ImageContentBlock image:
                    var (record, problem) = await KeepImageAsync(images, image, parent, tool.Name, cancellationToken).ConfigureAwait(false);
                    if (record is not null) produced.Add(record);
                    else lines.Add($"[an image ({image.MimeType}) that could not be kept: {problem}]");
                    break;
                case ResourceLinkBlock link:
                    lines.Add($"[resource link: {link.Name} {link.Uri}{(link.MimeType is null ? "" : $" ({link.MimeType})")}{(link.Description is null ? "" : $": {link.Description}")}]");
                    break;
                case EmbeddedResourceBlock { Resource: TextResourceContents resource }:
                    lines.Add($"[resource {resource.Uri}: {resource.Text}]");
                    break;
                case EmbeddedResourceBlock { Resource: var resource }:
                    lines.Add($"[resource {resource.Uri}{(resource.MimeType is null ? "" : $" ({resource.MimeType})")}, binary, not shown]");
                    break;
                case AudioContentBlock audio:
                    lines.Add($"[audio ({audio.MimeType}), not heard]");
                    break;
                default:
                    lines.Add($"[{block.Type} content, not shown]");
                    break;
            }
        }
        // Servers should repeat structured content as text; for one that does not, the model still sees the data.
        if (lines.Count == 0 && result.StructuredContent is { } structured)
            lines.Add(structured.GetRawText());
        var observation = string.Join("\n", lines);
        return new ExpertResult
        {
            Observation = Truncate(observation.Length == 0 ? "(no content)" : observation, MaxObservationLength),
            Data = result.StructuredContent,
            Images = produced,
            ContainsUntrustedText = true,
        };
    }

    /// <summary>
    /// Keeps an image a server returned as a new handle: derived from the image the call was given, else as a new
    /// input. Bytes that are not an image we accept become a note in the observation, not a failed call.
    /// </summary>
    private static async Task<(ImageRecord? Record, string? Problem)> KeepImageAsync(IImageStore images, ImageContentBlock image, string? parent, string tool, CancellationToken cancellationToken)
    {
        var bytes = image.DecodedData.ToArray();
        try
        {
            if (parent is null) return (McpImageFiles.SaveAsInput(images, bytes, "mcp"), null);
            var path = images.NewOutputPath(parent, "mcp", McpImageFiles.Extension(bytes));
            await OutputFile.WriteAsync(path, (stream, ct) => stream.WriteAsync(bytes, ct).AsTask(), cancellationToken).ConfigureAwait(false);
            return (McpImageFiles.RegisterOrDelete(path, () => images.AddProduced(path, parent, tool, "mcp")), null);
        }
        catch (BadInputException ex)
        {
            return (null, ex.Message);
        }
    }

    private static string ToolName(string name)
    {
        var cleaned = new string(name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());
        return cleaned.Length > 0 && char.IsAsciiLetterLower(cleaned[0]) ? cleaned : "mcp_" + cleaned;
    }

    private static string MarkDescription(string? text) => Marker.Mark(Truncate(text ?? "", MaxDescriptionLength));

    private static string Truncate(string text, int length) => text.Length > length ? text[..length] + "…" : text;

    private sealed record ParameterSchema(string Name, string? Description, bool Required, string Type)
    {
        public object? Convert(string text) => Type switch
        {
            "integer" when long.TryParse(text, CultureInfo.InvariantCulture, out var l) => l,
            "number" when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
            "boolean" when bool.TryParse(text, out var b) => b,
            "array" or "object" => JsonDocument.Parse(text).RootElement.Clone(),
            _ => text,
        };

        public static IReadOnlyList<ParameterSchema> From(JsonElement schema)
        {
            if (schema.ValueKind != JsonValueKind.Object || !schema.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object)
                return [];
            var required = schema.TryGetProperty("required", out var r) && r.ValueKind == JsonValueKind.Array
                ? r.EnumerateArray().Select(e => e.GetString()).OfType<string>().ToHashSet(StringComparer.Ordinal)
                : [];
            return properties.EnumerateObject().Select(p => new ParameterSchema(
                p.Name,
                p.Value.TryGetProperty("description", out var d) ? d.GetString() : null,
                required.Contains(p.Name),
                p.Value.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "string")).ToList();
        }
    }
}
