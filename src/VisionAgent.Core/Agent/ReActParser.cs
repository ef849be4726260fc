using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace VisionAgent.Core.Agent;

/// <summary>
/// Turns what real models write into Thought / Action / Action Input / Final Answer. It tolerates markdown
/// emphasis and code fences, any letter case, a missing Thought, bare handles or key=value instead of JSON,
/// <c>name(args)</c> call syntax, the JSON action format, several actions in one reply, and text the model
/// invented after its action (an Observation it made up is cut off).
/// </summary>
public static partial class ReActParser
{
    private enum Label { Thought, Action, ActionInput, FinalAnswer, Observation }

    public static ParsedReply Parse(string reply)
    {
        var text = Normalise(reply);
        var lines = text.Split('\n');
        var segments = new List<(Label Label, StringBuilder Body)>();
        var preamble = new StringBuilder();
        var kept = new StringBuilder();
        var sawAction = false;

        foreach (var line in lines)
        {
            var match = LabelLine().Match(line);
            if (match.Success)
            {
                var label = ToLabel(match.Groups["label"].Value);
                if (label == Label.Observation)
                {
                    if (sawAction || segments.Count > 0) break; // everything from here on is invented
                    continue;
                }
                if (label == Label.Action) sawAction = true;
                segments.Add((label, new StringBuilder(match.Groups["rest"].Value.Trim())));
            }
            else if (segments.Count == 0)
            {
                preamble.AppendLine(line);
            }
            else
            {
                segments[^1].Body.Append('\n').Append(line);
            }
            kept.Append(line).Append('\n');
        }

        var keptText = kept.ToString().TrimEnd();
        if (segments.Count == 0)
        {
            if (TryParseJsonAction(text, out var jsonReply)) return jsonReply with { Text = keptText };
            return new ParsedReply
            {
                Text = keptText,
                Thought = NullIfEmpty(preamble.ToString()),
                Error = string.IsNullOrWhiteSpace(text)
                    ? "Your reply was empty."
                    : "Your reply had neither an Action nor a Final Answer.",
            };
        }

        string? thought = NullIfEmpty(preamble.ToString());
        string? finalAnswer = null;
        var actions = new List<ParsedAction>();
        string? error = null;

        for (var i = 0; i < segments.Count; i++)
        {
            var (label, body) = segments[i];
            var value = body.ToString().Trim();
            switch (label)
            {
                case Label.Thought:
                    thought = thought is null ? NullIfEmpty(value) : $"{thought}\n{value}".Trim();
                    break;
                case Label.FinalAnswer:
                    if (actions.Count == 0 && finalAnswer is null) finalAnswer = NullIfEmpty(value) ?? "";
                    break;
                case Label.Action:
                    if (finalAnswer is not null) break; // an action after the answer is chatter
                    string? input = null;
                    if (i + 1 < segments.Count && segments[i + 1].Label == Label.ActionInput)
                    {
                        input = segments[i + 1].Body.ToString();
                        i++;
                    }
                    var action = ParseAction(value, input);
                    if (action is null) error ??= $"Could not read the tool name from 'Action: {Shorten(value)}'.";
                    else actions.Add(action);
                    break;
                case Label.ActionInput:
                    error ??= "An Action Input came without an Action line before it.";
                    break;
            }
        }

        if (actions.Count > 0) finalAnswer = null;
        if (actions.Count > 0 || finalAnswer is not null) error = null;
        else error ??= "Your reply had neither an Action nor a Final Answer.";
        return new ParsedReply { Text = keptText, Thought = thought, Actions = actions, FinalAnswer = finalAnswer, Error = error };
    }

    /// <summary>Parses an argument text: a JSON object, key=value pairs, or a bare value.</summary>
    public static (Dictionary<string, string> Arguments, string? Positional) ParseArguments(string? input)
    {
        var arguments = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var text = StripWrapping(WellFormed(input ?? ""));
        if (text.Length == 0) return (arguments, null);

        if (text[0] == '{')
        {
            var json = BalancedObject(text);
            if (json is not null && TryReadJsonObject(json, arguments)) return (arguments, null);
        }

        var pairs = KeyValue().Matches(text);
        if (pairs.Count > 0 && pairs[0].Index <= 1)
        {
            foreach (Match pair in pairs)
                arguments[NormaliseKey(pair.Groups["key"].Value)] = Unquote(pair.Groups["value"].Value.Trim());
            return (arguments, null);
        }

        var bare = Unquote(text.Split('\n')[0].Trim().TrimEnd(',', '.'));
        return (arguments, bare.Length == 0 ? null : bare);
    }

    private static ParsedAction? ParseAction(string actionLine, string? inputText)
    {
        var line = StripWrapping(actionLine);
        var call = CallSyntax().Match(line);
        string tool;
        string raw;
        if (call.Success)
        {
            tool = call.Groups["name"].Value;
            raw = call.Groups["args"].Value;
            if (inputText is not null && raw.Trim().Length == 0) raw = inputText;
        }
        else
        {
            var name = ToolName().Match(line);
            if (!name.Success) return null;
            tool = name.Value;
            var rest = line[(name.Index + name.Length)..].Trim();
            raw = inputText ?? rest;
            if (inputText is not null && rest.Length > 0 && rest[0] == '{' && StripWrapping(inputText).Length == 0) raw = rest;
        }

        var (arguments, positional) = ParseCallArguments(raw, call.Success);
        return new ParsedAction(tool, StripWrapping(raw), arguments, positional);
    }

    private static (Dictionary<string, string>, string?) ParseCallArguments(string raw, bool callSyntax)
    {
        if (!callSyntax) return ParseArguments(raw);
        // name(img1) or name(image="img1", k=v) or name({"image": "img1"})
        var text = raw.Trim();
        if (text.StartsWith('{')) return ParseArguments(text);
        return ParseArguments(text);
    }

    private static bool TryParseJsonAction(string text, out ParsedReply reply)
    {
        reply = null!;
        var start = text.IndexOf('{', StringComparison.Ordinal);
        if (start < 0) return false;
        var json = BalancedObject(text[start..]);
        if (json is null) return false;
        try
        {
            using var doc = JsonDocument.Parse(json, JsonOptions);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return false;
            string? action = null;
            JsonElement? input = null;
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                var key = NormaliseKey(property.Name);
                if (key is "action" or "tool" or "name") action = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
                else if (key is "action_input" or "input" or "arguments" or "args" or "parameters") input = property.Value.Clone();
            }
            if (action is null) return false;
            if (string.Equals(action, "Final Answer", StringComparison.OrdinalIgnoreCase) || string.Equals(action, "final_answer", StringComparison.OrdinalIgnoreCase))
            {
                reply = new ParsedReply { Text = text, FinalAnswer = input is { ValueKind: JsonValueKind.String } s ? s.GetString() : input?.ToString() };
                return true;
            }
            var rawInput = input?.ValueKind == JsonValueKind.String ? input.Value.GetString() ?? "" : input?.GetRawText() ?? "";
            var (arguments, positional) = ParseArguments(rawInput);
            reply = new ParsedReply { Text = text, Actions = [new ParsedAction(action, rawInput, arguments, positional)] };
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool TryReadJsonObject(string json, Dictionary<string, string> arguments)
    {
        foreach (var candidate in new[] { json, PythonishToJson(json) })
        {
            try
            {
                using var doc = JsonDocument.Parse(candidate, JsonOptions);
                if (doc.RootElement.ValueKind != JsonValueKind.Object) return false;
                foreach (var property in doc.RootElement.EnumerateObject())
                    arguments[NormaliseKey(property.Name)] = JsonValueToString(property.Value);
                return true;
            }
            catch (JsonException)
            {
                arguments.Clear();
            }
        }
        return false;
    }

    private static string JsonValueToString(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString() ?? "",
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Null => "",
        JsonValueKind.Array => string.Join(",", value.EnumerateArray().Select(JsonValueToString)),
        _ => value.GetRawText(),
    };

    private static readonly JsonDocumentOptions JsonOptions = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    private static string PythonishToJson(string text)
    {
        var builder = new StringBuilder(text.Length);
        var inDouble = false;
        foreach (var c in text)
        {
            if (c == '"') inDouble = !inDouble;
            builder.Append(c == '\'' && !inDouble ? '"' : c);
        }
        return Pythonic().Replace(builder.ToString(), m => m.Value switch { "True" => "true", "False" => "false", _ => "null" });
    }

    /// <summary>The first balanced {...} of the text (quotes respected), or null.</summary>
    private static string? BalancedObject(string text)
    {
        var depth = 0;
        char? quote = null;
        var escaped = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quote is not null)
            {
                if (escaped) escaped = false;
                else if (c == '\\') escaped = true;
                else if (c == quote) quote = null;
                continue;
            }
            if (c is '"' or '\'') quote = c;
            else if (c == '{') depth++;
            else if (c == '}' && --depth == 0) return text[..(i + 1)];
        }
        return null;
    }

    private static string Normalise(string reply)
    {
        var text = WellFormed(reply).Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        text = Emphasis().Replace(text, "");
        var lines = text.Split('\n').Where(l => !Fence().IsMatch(l)).Select(l => Heading().Replace(l, ""));
        return string.Join('\n', lines).Trim();
    }

    /// <summary>Replaces lone surrogates (a reply cut mid-character) with U+FFFD; the JSON reader refuses them.</summary>
    private static string WellFormed(string text)
    {
        var i = 0;
        for (; i < text.Length; i++)
        {
            if (char.IsSurrogate(text[i])) break;
        }
        if (i == text.Length) return text;
        var builder = new StringBuilder(text.Length);
        for (var j = 0; j < text.Length; j++)
        {
            var c = text[j];
            if (char.IsHighSurrogate(c) && j + 1 < text.Length && char.IsLowSurrogate(text[j + 1]))
            {
                builder.Append(c).Append(text[++j]);
            }
            else
            {
                builder.Append(char.IsSurrogate(c) ? '\uFFFD' : c);
            }
        }
        return builder.ToString();
    }

    private static string StripWrapping(string text)
    {
        var t = text.Trim();
        t = Fence().Replace(t, "").Trim();
        while (t.Length >= 2 && t[0] == '`' && t[^1] == '`') t = t[1..^1].Trim();
        if (t.StartsWith("json", StringComparison.OrdinalIgnoreCase) && t.Length > 4 && t[4] is '\n' or ' ' or '{') t = t[4..].Trim();
        return t;
    }

    private static string Unquote(string value)
    {
        var v = value.Trim();
        if (v.Length >= 2 && (v[0] == v[^1]) && v[0] is '"' or '\'' or '`') v = v[1..^1];
        return v.Trim();
    }

    public static string NormaliseKey(string key) =>
        key.Trim().Trim('"', '\'', '`').Replace('-', '_').Replace(' ', '_').ToLowerInvariant();

    private static Label ToLabel(string label)
    {
        var l = label.ToLowerInvariant().Replace('_', ' ');
        l = MultiSpace().Replace(l, " ");
        return l switch
        {
            "thought" or "thoughts" or "thinking" => Label.Thought,
            "action" or "tool" => Label.Action,
            "action input" or "action inputs" or "input" or "tool input" or "action args" or "arguments" => Label.ActionInput,
            "final answer" or "answer" or "final" => Label.FinalAnswer,
            _ => Label.Observation,
        };
    }

    private static string? NullIfEmpty(string text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static string Shorten(string text) => text.Length > 60 ? text[..60] + "..." : text;

    [GeneratedRegex(@"^\s*(?:[-*>]\s*)?(?<label>thoughts?|thinking|action[ _]+inputs?|action[ _]+args|tool[ _]+input|action|tool|input|arguments|final[ _]+answer|answer|observation)\s*(?:\d+\s*)?[:：]\s*(?<rest>.*)$", RegexOptions.IgnoreCase)]
    private static partial Regex LabelLine();

    [GeneratedRegex(@"\*\*|__|(?<=^|\s)\*(?=\w)|(?<=\w)\*(?=\s|$|:)")]
    private static partial Regex Emphasis();

    [GeneratedRegex(@"^\s*```[\w-]*\s*$", RegexOptions.Multiline)]
    private static partial Regex Fence();

    [GeneratedRegex(@"^\s*#{1,6}\s+")]
    private static partial Regex Heading();

    [GeneratedRegex(@"^(?<name>[A-Za-z_][\w.\-]*)\s*\((?<args>.*)\)\s*[.;]?\s*$", RegexOptions.Singleline)]
    private static partial Regex CallSyntax();

    [GeneratedRegex(@"[A-Za-z_][\w.\-]*")]
    private static partial Regex ToolName();

    // Keys are atomic and must start a word: without that, a long run of letters backtracks quadratically.
    [GeneratedRegex(@"(?<![\w\-])(?<key>(?>[A-Za-z_][\w\-]*))\s*[=:]\s*(?<value>""[^""]*""|'[^']*'|\[[^\]]*\]|\([^)]*\)|[^;\n]+?)\s*(?=,\s*(?>[A-Za-z_][\w\-]*)\s*[=:]|;|\n|$)")]
    private static partial Regex KeyValue();

    [GeneratedRegex(@"\b(True|False|None)\b")]
    private static partial Regex Pythonic();

    [GeneratedRegex(@"\s+")]
    private static partial Regex MultiSpace();
}
