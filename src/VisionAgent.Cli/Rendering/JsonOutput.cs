using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using VisionAgent.Abstractions;
using VisionAgent.Core.Agent;

namespace VisionAgent.Cli.Rendering;

/// <summary>The documents <c>--json</c> prints.</summary>
public static class JsonOutput
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static string Run(AgentRunResult result, UntrustedTextMarker marker) => JsonSerializer.Serialize(new
    {
        status = result.Status,
        answer = result.Answer,
        error = result.Error,
        steps = result.Steps.Select(s => new
        {
            thought = s.Thought,
            action = s.Action,
            input = s.Input,
            observation = marker.Unmark(s.Observation),
            duration_ms = s.DurationMs,
            failed = s.Failed ? true : (bool?)null,
            repairs = s.Repairs.Count > 0 ? s.Repairs : null,
        }),
        images = Images(result.Images),
        llm = new { provider = result.Provider, model = result.Model },
        usage = new { prompt_tokens = result.Tokens.Prompt, completion_tokens = result.Tokens.Completion, llm_calls = result.LlmCalls, duration_ms = result.DurationMs },
    }, Options);

    public static object Images(IEnumerable<ImageRecord> images) => images.Select(i => new
    {
        handle = i.Handle,
        path = i.Path,
        parent = i.Parent,
        op = i.Operation,
        kind = i.Kind,
        width = i.Width,
        height = i.Height,
    });

    public static string Serialize(object value) => JsonSerializer.Serialize(value, Options);
}
