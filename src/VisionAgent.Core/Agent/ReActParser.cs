using System.Text;

namespace VisionAgent.Core.Agent;

/// <summary>
/// Reads a model's reply as the ReAct protocol's grammar: lines that start with a label (Thought, Action, Action
/// Input, Final Answer, Observation, in any case, with markdown emphasis, list markers, headings, step numbers or
/// SK's <c>[ACTION]</c> brackets around the label), the blocks under them, code fences, and JSON-ish values read by
/// <see cref="LenientJsonReader"/>. It also reads the JSON action form (<c>{"action": ..., "action_input": ...}</c>)
/// with or without a label, <c>name(args)</c> and <c>name[args]</c> calls, and several actions in one reply.
/// Markup is removed from labels and tool names only, never from what the model quotes. A reply with two possible
/// readings is refused with an error that quotes the ambiguity; one that needed repairs lists them. Everything runs
/// in one pass over the text, without regular expressions.
/// </summary>
public static class ReActParser
{
    /// <summary>Most actions one reply may ask for; a reply with more is refused rather than half run.</summary>
    public const int MaxActionsPerReply = 8;

    private static readonly string[] ActionKeys = ["action", "tool", "name", "tool_name", "function"];
    private static readonly string[] InputKeys = ["action_input", "input", "arguments", "args", "parameters", "params", "action_variables", "tool_input", "kwargs", "inputs"];
    private static readonly string[] AnswerKeys = ["answer", "final_answer", "output", "response", "text", "result"];

    private enum Label { Thought, Action, ActionInput, FinalAnswer, Observation }

    private sealed class Segment(Label label, string firstLine)
    {
        public Label Label { get; } = label;
        public StringBuilder Text { get; } = new(firstLine);
        public string? Problem { get; set; }
    }

    /// <summary>
    /// How one line of a reply begins, read as <see cref="Parse"/> reads labels: with the Thought label (its text
    /// starts at <paramref name="textStart"/>), with another label, or with none.
    /// </summary>
    public static ReplyLineStart ReadLineStart(string line, out int textStart)
    {
        textStart = 0;
        if (MatchLabel(line, 0) is not { } found) return ReplyLineStart.Text;
        if (found.Label != Label.Thought) return ReplyLineStart.Step;
        textStart = found.RestStart;
        return ReplyLineStart.Thought;
    }

    public static ParsedReply Parse(string reply)
    {
        var text = WellFormed(reply).Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        var (segments, preamble, kept) = SplitIntoSegments(text);
        var repairs = new List<string>();

        if (!segments.Any(s => s.Label is Label.Action or Label.FinalAnswer))
        {
            var blob = FindJsonAction(text, repairs);
            if (blob is not null) return blob with { Text = kept, Thought = ThoughtOf(preamble, segments), Repairs = repairs };
            var error = string.IsNullOrWhiteSpace(text) ? "Your reply was empty."
                : segments.Any(s => s.Label == Label.ActionInput) ? "An Action Input came without an Action line before it."
                : "Your reply had neither an Action nor a Final Answer.";
            return new ParsedReply { Text = kept, Thought = ThoughtOf(preamble, segments), Error = error };
        }

        string? finalAnswer = null;
        string? problem = null;
        var actions = new List<ParsedAction>();
        for (var i = 0; i < segments.Count && problem is null; i++)
        {
            var segment = segments[i];
            if (segment.Label == Label.FinalAnswer)
            {
                if (actions.Count == 0 && finalAnswer is null)
                {
                    finalAnswer = segment.Text.ToString().Trim();
                    if (finalAnswer.Length == 0) problem = "Your Final Answer was empty.";
                }
            }
            else if (segment.Label == Label.Action && finalAnswer is null)
            {
                // An action after the answer is chatter; an answer after an action was invented before any observation.
                string? input = null;
                if (i + 1 < segments.Count && segments[i + 1].Label == Label.ActionInput) input = segments[++i].Text.ToString();
                var step = ReadAction(segment, input, repairs);
                if (step.Problem is not null) problem = step.Problem;
                else if (step.FinalAnswer is not null && actions.Count == 0) finalAnswer = step.FinalAnswer;
                else if (step.Action is not null) actions.Add(step.Action);
            }
        }

        if (problem is null && actions.Count > MaxActionsPerReply)
            problem = $"Your reply asked for {actions.Count} actions; ask for at most {MaxActionsPerReply} at a time.";
        if (problem is not null)
            return new ParsedReply { Text = kept, Thought = ThoughtOf(preamble, segments), Error = problem };
        return new ParsedReply
        {
            Text = kept,
            Thought = ThoughtOf(preamble, segments),
            Actions = actions,
            FinalAnswer = actions.Count > 0 ? null : finalAnswer,
            Repairs = repairs,
        };
    }

    /// <summary>Parses an argument text: a JSON-ish object, key=value pairs, a call wrapper, or a bare value.</summary>
    public static (Dictionary<string, string> Arguments, string? Positional) ParseArguments(string? input)
    {
        var reading = ReadInput(input ?? "", tool: null, []);
        return (reading.Arguments ?? new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase), reading.Positional);
    }

    /// <summary>
    /// The form of an argument name that tools are matched on: trimmed, unquoted, snake_case and lower case
    /// (<c>minConfidence</c>, <c>Min-Confidence</c> and <c>MIN_CONFIDENCE</c> all become <c>min_confidence</c>).
    /// </summary>
    public static string NormaliseKey(string key)
    {
        var trimmed = key.Trim().Trim('"', '\'', '`').Trim();
        var builder = new StringBuilder(trimmed.Length + 4);
        for (var i = 0; i < trimmed.Length; i++)
        {
            var c = trimmed[i];
            if (c is '-' or ' ')
            {
                builder.Append('_');
            }
            else if (char.IsUpper(c))
            {
                if (i > 0 && (char.IsLower(trimmed[i - 1]) || char.IsDigit(trimmed[i - 1]))) builder.Append('_');
                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }
        return builder.ToString();
    }

    // ------------------------------------------------------------------ lines, labels, fences

    private static (List<Segment> Segments, string Preamble, string Kept) SplitIntoSegments(string text)
    {
        var segments = new List<Segment>();
        var preamble = new StringBuilder();
        var kept = new StringBuilder();
        var structuralFence = false;
        var contentFence = false;
        foreach (var line in text.Split('\n'))
        {
            var current = segments.Count > 0 ? segments[^1] : null;
            var isFence = line.AsSpan().TrimStart().StartsWith("```", StringComparison.Ordinal);
            if (contentFence)
            {
                current!.Text.Append('\n').Append(line);
                if (isFence) contentFence = false;
                kept.Append(line).Append('\n');
                continue;
            }
            if (isFence)
            {
                if (!structuralFence && current?.Label is Label.ActionInput or Label.FinalAnswer)
                {
                    contentFence = true;
                    current.Text.Append('\n').Append(line);
                }
                else
                {
                    structuralFence = !structuralFence;
                }
                kept.Append(line).Append('\n');
                continue;
            }

            var label = MatchLabel(line, 0);
            if (label is { } found)
            {
                if (found.Label == Label.Observation)
                {
                    if (segments.Count > 0) break; // everything from here on is invented
                    continue;
                }
                var rest = line[found.RestStart..];
                if (found.Label == Label.Action)
                {
                    AddActionLine(segments, rest);
                }
                else
                {
                    segments.Add(new Segment(found.Label, rest));
                }
            }
            else if (current is null)
            {
                preamble.Append(line).Append('\n');
            }
            else
            {
                current.Text.Append('\n').Append(line);
            }
            kept.Append(line).Append('\n');
        }
        return (segments, preamble.ToString(), kept.ToString().TrimEnd());
    }

    /// <summary>Splits <c>Action: ocr Action Input: {...}</c> (one line) into its two labels.</summary>
    private static void AddActionLine(List<Segment> segments, string rest)
    {
        for (var i = 0; i < rest.Length; i++)
        {
            if (rest[i] is '{' or '(' or '[' or '"') break; // labels inside a value are the model's text
            if (char.ToLowerInvariant(rest[i]) is not ('a' or 'f') || (i > 0 && char.IsLetterOrDigit(rest[i - 1]))) continue;
            var start = i;
            while (start > 0 && rest[start - 1] is '*' or '_') start--;
            if (MatchLabel(rest, start) is not { } inline) continue;
            if (inline.Label == Label.FinalAnswer)
            {
                segments.Add(new Segment(Label.Action, rest) { Problem = $"The Action line also holds a Final Answer ('{Shorten(rest.Trim())}'). Either call a tool or give the Final Answer, on lines of their own." });
                return;
            }
            if (inline.Label == Label.ActionInput)
            {
                segments.Add(new Segment(Label.Action, rest[..start]));
                segments.Add(new Segment(Label.ActionInput, rest[inline.RestStart..]));
                return;
            }
        }
        segments.Add(new Segment(Label.Action, rest));
    }

    /// <summary>
    /// A label at <paramref name="start"/>: optional space, list marker, heading marks and emphasis, the label words
    /// (step numbers allowed), emphasis, then a colon; or SK's bracket form <c>[FINAL ANSWER]</c>.
    /// </summary>
    private static (Label Label, int RestStart)? MatchLabel(string line, int start)
    {
        var i = start;
        while (i < line.Length && line[i] is ' ' or '\t') i++;
        if (i + 1 < line.Length && line[i] is '-' or '+' or '>' or '*' && line[i + 1] == ' ') i += 2;
        while (i < line.Length && line[i] == '#') i++;
        while (i < line.Length && line[i] is ' ' or '\t' or '*' or '_' or '`') i++;
        var bracket = i < line.Length && line[i] == '[';
        if (bracket) i++;

        var wordsStart = i;
        while (i < line.Length && i - wordsStart < 40 && (char.IsLetterOrDigit(line[i]) || line[i] is ' ' or '_' or '-')) i++;
        var label = ToLabel(line.AsSpan(wordsStart, i - wordsStart));
        if (label is null) return null;

        if (bracket)
        {
            if (i >= line.Length || line[i] != ']') return null;
            i++;
            while (i < line.Length && line[i] is ' ' or '\t' or '*') i++;
            if (i < line.Length && line[i] is ':' or '：') i++;
            return (label.Value, i);
        }
        while (i < line.Length && line[i] is '*' or '_' or '`' or ' ') i++;
        if (i >= line.Length || line[i] is not (':' or '：')) return null;
        i++;
        while (i < line.Length && line[i] is '*' or '_') i++;
        return (label.Value, i);
    }

    private static Label? ToLabel(ReadOnlySpan<char> words)
    {
        Span<char> buffer = stackalloc char[48];
        var length = 0;
        var pendingSpace = false;
        foreach (var c in words)
        {
            if (char.IsLetter(c))
            {
                if (pendingSpace && length > 0) buffer[length++] = ' ';
                pendingSpace = false;
                if (length >= buffer.Length - 1) return null;
                buffer[length++] = char.ToLowerInvariant(c);
            }
            else
            {
                pendingSpace = true; // spaces, '_', '-' and step numbers all separate words
            }
        }
        return buffer[..length] switch
        {
            "thought" or "thoughts" or "thinking" => Label.Thought,
            "action" or "tool" => Label.Action,
            "action input" or "action inputs" or "input" or "tool input" or "action args" or "action arguments" or "arguments" or "args" => Label.ActionInput,
            "final answer" or "finalanswer" or "answer" or "final" => Label.FinalAnswer,
            "observation" or "observations" => Label.Observation,
            _ => null,
        };
    }

    private static string? ThoughtOf(string preamble, List<Segment> segments)
    {
        var builder = new StringBuilder(preamble.Trim());
        foreach (var segment in segments.Where(s => s.Label == Label.Thought))
        {
            var thought = segment.Text.ToString().Trim();
            if (thought.Length == 0) continue;
            if (builder.Length > 0) builder.Append('\n');
            builder.Append(thought);
        }
        return builder.Length == 0 ? null : builder.ToString();
    }

    // ------------------------------------------------------------------ actions

    private sealed record ActionStep(ParsedAction? Action, string? FinalAnswer, string? Problem);

    private static ActionStep ReadAction(Segment segment, string? inputText, List<string> repairs)
    {
        if (segment.Problem is not null) return new(null, null, segment.Problem);
        var actionText = Unfence(segment.Text.ToString().Trim());
        if (actionText.StartsWith('{'))
        {
            var blob = LenientJsonReader.Read(actionText);
            if (blob.Value is JsonishObject json && ActionFromJson(json, repairs, blob.Repairs) is { } jsonStep) return jsonStep;
            return new(null, null, $"Could not read a tool name from 'Action: {Shorten(actionText)}'{(blob.Problem is null ? "" : $" ({blob.Problem})")}.");
        }

        var lines = actionText.Split('\n');
        var line = lines[0].Trim();
        var extra = string.Join('\n', lines.Skip(1)).Trim();
        var hasInput = !string.IsNullOrWhiteSpace(inputText);
        var (tool, call, rest) = SplitToolLine(line, hasInput);
        if (string.IsNullOrWhiteSpace(call)) call = null; // ocr() before an Action Input names the tool only
        if (tool.Length == 0) return new(null, null, $"Could not read the tool name from 'Action: {Shorten(line)}'.");
        if (tool.ToLowerInvariant() is "none" or "n/a" or "na" or "null" or "nothing" or "no action" or "no tool")
            return new(null, null, $"'Action: {Shorten(line)}' names no tool. To answer without a tool, write 'Final Answer:' and the answer.");

        string? input;
        if (call is not null && hasInput)
        {
            var fromCall = ReadInput(call, tool, []);
            var fromBlock = ReadInput(inputText!, tool, []);
            if (!SameReading(fromCall, fromBlock))
                return new(null, null, $"The reply gives {tool} two different inputs: '{Shorten(line)}' and 'Action Input: {Shorten(inputText!.Trim())}'. Give one.");
            input = inputText;
        }
        else
        {
            input = hasInput ? inputText : call ?? (rest.Length > 0 ? rest : extra);
        }

        if (IsFinalAnswerName(tool))
        {
            var answer = AnswerText(input ?? "");
            return answer.Length == 0 ? new(null, null, "Your Final Answer was empty.") : new(null, answer, null);
        }

        var reading = ReadInput(input ?? "", tool, repairs);
        if (reading.Problem is not null) return new(null, null, reading.Problem);
        if (reading.NestedAction is { } nested)
        {
            if (!SameTool(nested.Tool, tool))
                return new(null, null, $"The Action names {tool} but its input names {nested.Tool}. Say which tool you mean.");
            return new(nested, null, null);
        }
        return new(new ParsedAction(tool, Unfence((input ?? "").Trim()), reading.Arguments!, reading.Positional), null, null);
    }

    /// <summary>
    /// The tool name and what follows it on the Action line: a call's arguments (<c>ocr(img1)</c>, <c>ocr[img1]</c>),
    /// or the rest of the line, which is a note when an Action Input follows and the input otherwise.
    /// </summary>
    private static (string Tool, string? Call, string Remainder) SplitToolLine(string line, bool hasInput)
    {
        var text = line.Trim().Trim('*').Trim();
        var i = 0;
        while (i < text.Length && text[i] is '`' or '"' or '\'') i++;
        var start = i;
        while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] is '_' or '.' or '-' or '/')) i++;
        var tool = text[start..i].TrimEnd('.', '-', '/');
        var after = i;
        while (after < text.Length && text[after] is '`' or '"' or '\'' or '*') after++;
        var rest = text[after..].Trim();

        if (rest.Length > 0 && after == i && text[i] is '(' or '[')
        {
            var close = text[i] == '(' ? ')' : ']';
            var end = text.LastIndexOf(close);
            if (end > i) return (tool, text[(i + 1)..end], text[(end + 1)..].Trim());
        }
        if (hasInput && rest.Length > 0 && IsWordsOnly(rest) && !rest.Contains(':'))
            return ($"{tool} {rest}", null, ""); // tool names with spaces, as some frameworks register them
        return (tool, null, rest);
    }

    private static bool IsWordsOnly(string text)
    {
        foreach (var c in text)
        {
            if (!(char.IsLetterOrDigit(c) || c is ' ' or '_')) return false;
        }
        return true;
    }

    private static ActionStep? ActionFromJson(JsonishObject json, List<string> repairs, IReadOnlyList<string> jsonRepairs)
    {
        if (json.Find(ActionKeys) is not JsonishString { Value: var tool } || tool.Trim().Length == 0) return null;
        tool = tool.Trim();
        var input = json.Find(InputKeys);
        AddRepairs(repairs, tool, jsonRepairs);
        if (IsFinalAnswerName(tool))
        {
            var answer = input switch
            {
                JsonishString s => s.Value.Trim(),
                JsonishObject o when o.Find(AnswerKeys) is JsonishString s => s.Value.Trim(),
                JsonishObject { Members.Count: 1 } o when o.Members[0].Value is JsonishString s => s.Value.Trim(),
                null => "",
                _ => input.ToJson(),
            };
            return answer.Length == 0 ? new(null, null, "Your Final Answer was empty.") : new(null, answer, null);
        }
        var reading = input switch
        {
            null => new InputReading(new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase), null, null, null),
            JsonishObject o => FromObject(o),
            JsonishString s => ReadInput(s.Value, tool, repairs),
            _ => new InputReading(new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase), input.ToArgumentText(), null, null),
        };
        if (reading.Problem is not null) return new(null, null, reading.Problem);
        var raw = input switch { null => "", JsonishString s => s.Value, _ => input.ToJson() };
        return new(new ParsedAction(tool, raw, reading.Arguments!, reading.Positional), null, null);
    }

    /// <summary>The JSON action form written without any label (LangChain's JSON and structured-chat agents).</summary>
    private static ParsedReply? FindJsonAction(string text, List<string> repairs)
    {
        // A few candidate braces at most, so a reply full of '{' stays linear.
        var from = 0;
        for (var attempt = 0; attempt < 4; attempt++)
        {
            var start = text.IndexOf('{', from);
            if (start < 0) return null;
            var read = LenientJsonReader.Read(text, start);
            if (read.Value is JsonishObject json && ActionFromJson(json, repairs, read.Repairs) is { } step)
            {
                return step.Problem is not null ? new ParsedReply { Text = "", Error = step.Problem }
                    : step.FinalAnswer is not null ? new ParsedReply { Text = "", FinalAnswer = step.FinalAnswer }
                    : new ParsedReply { Text = "", Actions = [step.Action!] };
            }
            from = Math.Max(start + 1, read.Value is null ? start + 1 : read.End);
        }
        return null;
    }

    private static bool IsFinalAnswerName(string tool)
    {
        var name = NormaliseKey(tool).Replace("_", "", StringComparison.Ordinal);
        return name is "finalanswer" or "finish" or "final" or "answer";
    }

    private static string AnswerText(string input)
    {
        var text = Unfence(input.Trim());
        if (text.StartsWith('{') && LenientJsonReader.Read(text).Value is JsonishObject o && o.Find(AnswerKeys) is JsonishString s) return s.Value.Trim();
        return Unquote(text).Trim();
    }

    private static bool SameTool(string a, string b) =>
        string.Equals(NormaliseKey(a), NormaliseKey(b), StringComparison.Ordinal);

    private static bool SameReading(InputReading a, InputReading b) =>
        a.Problem is null && b.Problem is null && a.Positional == b.Positional &&
        a.Arguments!.Count == b.Arguments!.Count &&
        a.Arguments.All(kv => b.Arguments.TryGetValue(kv.Key, out var v) && v == kv.Value);

    // ------------------------------------------------------------------ inputs

    private sealed record InputReading(Dictionary<string, string>? Arguments, string? Positional, string? Problem, ParsedAction? NestedAction);

    private static InputReading ReadInput(string input, string? tool, List<string> repairs)
    {
        var text = CleanInput(input, repairs, tool);
        var empty = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (text.Length == 0) return new(empty, null, null, null);
        var subject = tool is null ? "the Action Input" : $"the Action Input of {tool}";

        if (text[0] == '{')
        {
            var read = LenientJsonReader.Read(text);
            if (read.Value is not JsonishObject json)
                return new(null, null, $"Could not read {subject}: {read.Problem}. Write it as one JSON object, e.g. {{\"image\": \"img1\"}}.", null);
            var after = text[read.End..].Trim();
            if (after.StartsWith('{'))
                return new(null, null, $"{Capitalise(subject)} holds two objects ('{Shorten(text)}'). Give one.", null);
            AddRepairs(repairs, tool, read.Repairs);
            if (after.Length > 0) AddRepairs(repairs, tool, ["ignored the text after the object"]);
            if (json.Find(ActionKeys) is JsonishString && json.Find(InputKeys) is not null)
            {
                var step = ActionFromJson(json, repairs, []);
                if (step?.Problem is not null) return new(null, null, step.Problem, null);
                if (step?.Action is not null) return new(null, null, null, step.Action);
            }
            return FromObject(json);
        }

        if (text[0] is '"' && text.Length > 1 && text[^1] == '"' && LenientJsonReader.Read(text).Value is JsonishString encoded
            && encoded.Value.TrimStart().StartsWith('{'))
        {
            AddRepairs(repairs, tool, ["decoded an input that was a JSON string holding JSON"]);
            return ReadInput(encoded.Value, tool, repairs);
        }

        if (CallWrapper(text) is { } wrapped)
        {
            var inner = wrapped.Arguments.Trim();
            if (inner.StartsWith('{') || (tool is not null && SameTool(wrapped.Name, tool)))
            {
                AddRepairs(repairs, tool, [$"unwrapped {wrapped.Name}(...)"]);
                return ReadInput(inner, tool, repairs);
            }
            if (tool is not null)
                return new(null, null, $"The Action is {tool} but its input calls {wrapped.Name}(...). Give the input of {tool} only, e.g. {{\"image\": \"img1\"}}.", null);
        }

        if (KeyValues(text) is { } pairs) return new(pairs, null, null, null);
        return new(empty, Bare(text, repairs, tool), null, null);
    }

    private static InputReading FromObject(JsonishObject json) => new(json.ToArguments(), null, null, null);

    /// <summary>Removes what wraps an input without being part of it: fences, backticks, a "json" tag, stray bold, a cut-off "Obs".</summary>
    private static string CleanInput(string input, List<string> repairs, string? tool)
    {
        var text = Unfence(input.Trim());
        var lastBreak = text.LastIndexOf('\n');
        if (lastBreak >= 0)
        {
            var last = text[(lastBreak + 1)..].Trim();
            if (last.Length >= 3 && "observation".StartsWith(last, StringComparison.OrdinalIgnoreCase)) text = text[..lastBreak].TrimEnd();
        }
        if (text.StartsWith("json", StringComparison.OrdinalIgnoreCase) && text.Length > 4 && text[4] is '\n' or ' ' or '{')
            text = text[4..].TrimStart();
        var lead = 0;
        while (lead < text.Length && text[lead] is '*' or '_' or ' ') lead++;
        if (lead > 0 && lead < text.Length && text[lead] is '{' or '"')
        {
            text = text[lead..];
            AddRepairs(repairs, tool, ["removed markup before the input"]);
        }
        while (text.Length >= 2 && text[0] == '`' && text[^1] == '`') text = text[1..^1].Trim();
        return text;
    }

    /// <summary>The inside of a single fenced block (<c>```json ... ```</c>) that makes up the whole text, else the text.</summary>
    private static string Unfence(string text)
    {
        if (!text.StartsWith("```", StringComparison.Ordinal)) return text;
        var firstBreak = text.IndexOf('\n');
        if (firstBreak < 0) return text.Trim('`').Trim();
        var body = text[(firstBreak + 1)..].TrimEnd();
        if (body.EndsWith("```", StringComparison.Ordinal)) body = body[..^3];
        return body.Contains("```", StringComparison.Ordinal) ? text : body.Trim();
    }

    private static (string Name, string Arguments)? CallWrapper(string text)
    {
        var i = 0;
        while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] is '_' or '.')) i++;
        if (i == 0 || !char.IsLetter(text[0]) || i >= text.Length || text[i] != '(') return null;
        var end = text.TrimEnd().TrimEnd('.', ';').TrimEnd();
        if (!end.EndsWith(')')) return null;
        return (text[..i], end[(i + 1)..^1]);
    }

    /// <summary>
    /// <c>key=value</c> or <c>key: value</c> pairs separated by commas, semicolons or line breaks. A value runs until a
    /// separator that is followed by another key, so <c>box=10,20,30,40</c> keeps its commas. Null when the text does
    /// not start with a key.
    /// </summary>
    private static Dictionary<string, string>? KeyValues(string text)
    {
        var pairs = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = 0;
        while (i < text.Length)
        {
            var valueStart = KeyAt(text, i);
            if (valueStart < 0) return pairs.Count == 0 ? null : pairs;
            var key = text[i..(valueStart - 1)].Trim();
            var v = valueStart;
            while (v < text.Length && text[v] is ' ' or '\t') v++;
            var end = v;
            if (v < text.Length && text[v] is '"' or '\'' or '[' or '(')
            {
                var closer = text[v] switch { '[' => ']', '(' => ')', var quote => quote };
                var close = text.IndexOf(closer, v + 1);
                end = close < 0 ? text.Length : close + 1;
            }
            while (end < text.Length)
            {
                if (text[end] is ',' or ';' or '\n')
                {
                    var next = SkipSeparators(text, end);
                    if (next >= text.Length || KeyAt(text, next) >= 0) break;
                    end = next;
                }
                else
                {
                    end++;
                }
            }
            pairs[key] = Unquote(text[v..end].Trim());
            i = SkipSeparators(text, end);
        }
        return pairs.Count == 0 ? null : pairs;
    }

    private static int SkipSeparators(string text, int i)
    {
        while (i < text.Length && text[i] is ',' or ';' or '\n' or ' ' or '\t') i++;
        return i;
    }

    /// <summary>Where the value of a <c>key=</c> or <c>key:</c> starting at <paramref name="i"/> begins, or -1.</summary>
    private static int KeyAt(string text, int i)
    {
        if (i >= text.Length || !(char.IsAsciiLetter(text[i]) || text[i] == '_')) return -1;
        var j = i;
        while (j < text.Length && j - i <= 40 && (char.IsAsciiLetterOrDigit(text[j]) || text[j] is '_' or '-')) j++;
        var k = j;
        while (k < text.Length && text[k] is ' ' or '\t') k++;
        if (k >= text.Length || text[k] is not ('=' or ':')) return -1;
        if (text[k] == ':' && k + 1 < text.Length && text[k + 1] == '/') return -1; // a URL, not a key
        return k + 1;
    }

    private static string Bare(string text, List<string> repairs, string? tool)
    {
        var value = text.Trim();
        if (value.Length >= 2 && value[0] == value[^1] && value[0] is '"' or '\'' or '`') return value[1..^1].Trim();
        if (value.Length > 1 && value[0] is '"' or '\'' && value.IndexOf(value[0], 1) < 0)
        {
            AddRepairs(repairs, tool, ["dropped an unbalanced quote"]);
            value = value[1..].Trim();
        }
        else if (value.Length > 1 && value[^1] is '"' or '\'' && value.IndexOf(value[^1]) == value.Length - 1)
        {
            AddRepairs(repairs, tool, ["dropped an unbalanced quote"]);
            value = value[..^1].Trim();
        }
        if (!value.Any(char.IsWhiteSpace)) value = value.TrimEnd('.', ',', ';');
        return value.Length == 0 ? "" : value;
    }

    private static string Unquote(string value)
    {
        var v = value.Trim();
        if (v.Length >= 2 && v[0] == v[^1] && v[0] is '"' or '\'' or '`') v = v[1..^1];
        return v.Trim();
    }

    private static void AddRepairs(List<string> repairs, string? tool, IReadOnlyList<string> made)
    {
        foreach (var repair in made)
        {
            var line = tool is null ? repair : $"{tool}: {repair}";
            if (!repairs.Contains(line)) repairs.Add(line);
        }
    }

    /// <summary>Replaces lone surrogates (a reply cut mid-character) with U+FFFD.</summary>
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

    private static string Capitalise(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    private static string Shorten(string text) => text.Length > 60 ? text[..60] + "..." : text;
}

/// <summary>How a line of a ReAct reply begins.</summary>
public enum ReplyLineStart
{
    /// <summary>No label: more of the text before it.</summary>
    Text,

    /// <summary>The Thought label.</summary>
    Thought,

    /// <summary>Any other label: an action, its input, a final answer or an observation.</summary>
    Step,
}
