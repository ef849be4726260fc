using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.SemanticKernel;
using VisionAgent.Abstractions;

namespace VisionAgent.ExternalExperts.Mcp;

/// <summary>
/// The JSON an MCP client gets for an expert's <see cref="ExpertResult.Data"/> (<c>structuredContent</c>) and the
/// schema that describes it (<c>outputSchema</c>). Both come from the type the function declares with
/// <see cref="ExpertDataAttribute"/>, serialised with the same options, so the schema cannot drift from the data.
/// </summary>
public static class McpResultSchema
{
    /// <summary>snake_case names as in <c>--json</c>; nulls are written, so every declared property is present.</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    private static readonly ConcurrentDictionary<Type, JsonElement> Schemas = new();

    /// <summary>The data type a function declares, or null for a function (a plugin's, say) that declares none.</summary>
    public static Type? DeclaredType(KernelFunction function) =>
        function.UnderlyingMethod?.GetCustomAttribute<ExpertDataAttribute>()?.DataType;

    /// <summary>The schema of <paramref name="dataType"/>, its root an object as MCP requires.</summary>
    public static JsonElement For(Type dataType) => Schemas.GetOrAdd(dataType, static type =>
    {
        var schema = Options.GetJsonSchemaAsNode(type);
        if (schema is not JsonObject root || !IsObjectSchema(root))
            throw new InvalidOperationException($"{type.Name} is not serialised as a JSON object, so it cannot be an MCP tool's output schema");
        // A reference type's schema admits null at the root; a result's data never is.
        root["type"] = "object";
        return JsonSerializer.SerializeToElement(root);
    });

    /// <summary>Why <paramref name="data"/> cannot be sent as the declared type, or null when it can.</summary>
    public static string? Mismatch(object? data, Type? declared) =>
        declared is null || declared.IsInstanceOfType(data) ? null
        : $"the expert returned {(data is null ? "no data" : data.GetType().Name)} where it declares {declared.Name}";

    /// <summary>
    /// The data as <c>structuredContent</c>, serialised as the declared type (check <see cref="Mismatch"/> first).
    /// Without a declared type, data that serialises to an object is sent as it is, and anything else is not sent.
    /// </summary>
    public static JsonElement? Serialize(object? data, Type? declared)
    {
        if (data is null) return null;
        var element = JsonSerializer.SerializeToElement(data, declared ?? data.GetType(), Options);
        return element.ValueKind == JsonValueKind.Object ? element : null;
    }

    private static bool IsObjectSchema(JsonObject schema) => schema["type"] switch
    {
        JsonValue value => value.GetValue<string>() == "object",
        JsonArray types => types.Any(t => t?.GetValue<string>() == "object"),
        _ => false,
    };

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
        };
        options.MakeReadOnly();
        return options;
    }
}
