using System.Globalization;
using System.Text.Json;
using Microsoft.SemanticKernel;
using OpenAI.Chat;

namespace VisionAgent.Core.Agent;

/// <summary>The arguments of one native tool call as the loop passes them on, or why they cannot be used.</summary>
/// <param name="Arguments">Argument name to text, as the model wrote the names; empty when <paramref name="Problem"/> is set.</param>
/// <param name="Repairs">What was repaired to read them, in words.</param>
/// <param name="Problem">Why the call cannot run, phrased for the model; null when the arguments are usable.</param>
public sealed record ToolCallArguments(IReadOnlyDictionary<string, string> Arguments, IReadOnlyList<string> Repairs, string? Problem);

/// <summary>
/// Reads the arguments of a native (function-calling) tool call from the text the model sent, with the same lenient
/// reader as the ReAct parser: invalid JSON with one sensible reading is repaired, a JSON string holding the JSON
/// object (double encoding) is decoded, and anything else is refused with a message that says what was wrong.
/// Key casing is left to <see cref="ToolInvoker"/>, which matches names the way it does for ReAct replies.
/// </summary>
public static class ToolCallArgumentReader
{
    public static ToolCallArguments Read(FunctionCallContent call)
    {
        // The connector hands over parsed arguments, or none and an exception when the text was not valid JSON;
        // the text itself is on the inner tool call.
        if (call.InnerContent is ChatToolCall { FunctionArguments: { } raw }) return Read(raw.ToString());
        if (call.Exception is not null) return Refuse("The arguments were not valid JSON. Send one JSON object, e.g. {\"image\": \"img1\"}.");
        var arguments = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in call.Arguments ?? [])
            arguments[key] = value switch
            {
                null => "",
                string s => s,
                JsonElement { ValueKind: JsonValueKind.String } e => e.GetString() ?? "",
                JsonElement e => e.GetRawText(),
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => value.ToString() ?? "",
            };
        return new ToolCallArguments(arguments, [], null);
    }

    /// <summary>Reads the argument text of a tool call.</summary>
    public static ToolCallArguments Read(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) return new ToolCallArguments(new Dictionary<string, string>(), [], null);
        var repairs = new List<string>();
        var read = LenientJsonReader.Read(text);
        if (read.Value is JsonishString encoded)
        {
            repairs.Add("decoded arguments sent as a JSON string holding JSON");
            text = encoded.Value;
            read = LenientJsonReader.Read(text);
        }
        if (read.Value is null) return Refuse($"The arguments could not be read ({read.Problem}). Send one JSON object, e.g. {{\"image\": \"img1\"}}.");
        if (read.Value is not JsonishObject json) return Refuse($"The arguments were {Describe(read.Value)}, not a JSON object. Send one object, e.g. {{\"image\": \"img1\"}}.");
        var after = text[read.End..].Trim();
        if (after.StartsWith('{')) return Refuse("The arguments held two JSON objects. Send one.");
        repairs.AddRange(read.Repairs);
        if (after.Length > 0) repairs.Add("ignored the text after the arguments");

        return new ToolCallArguments(json.ToArguments(), repairs, null);
    }

    private static ToolCallArguments Refuse(string problem) => new(new Dictionary<string, string>(), [], problem);

    private static string Describe(JsonishValue value) => value switch
    {
        JsonishArray => "a list",
        JsonishString => "a string",
        _ => "a single value",
    };
}
