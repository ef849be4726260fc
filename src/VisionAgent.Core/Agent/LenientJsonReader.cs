using System.Globalization;
using System.Text;

namespace VisionAgent.Core.Agent;

/// <summary>A value read by <see cref="LenientJsonReader"/>: JSON's shapes, with numbers kept as written.</summary>
public abstract record JsonishValue
{
    /// <summary>The value as compact, valid JSON.</summary>
    public string ToJson()
    {
        var builder = new StringBuilder();
        WriteJson(builder);
        return builder.ToString();
    }

    /// <summary>
    /// The value as a tool argument: text as it is, numbers as written, true/false, null as nothing, a list of plain
    /// values joined with commas, anything nested as compact JSON.
    /// </summary>
    public abstract string ToArgumentText();

    internal abstract void WriteJson(StringBuilder builder);

    /// <summary>Writes a JSON string; a lone surrogate (from a cut reply or a <c>\uD800</c> escape) becomes U+FFFD.</summary>
    internal static void WriteString(StringBuilder builder, string value)
    {
        builder.Append('"');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case < ' ': builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"); break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) builder.Append(c).Append(value[++i]);
                    else builder.Append(char.IsSurrogate(c) ? '\uFFFD' : c);
                    break;
            }
        }
        builder.Append('"');
    }
}

public sealed record JsonishString(string Value) : JsonishValue
{
    public override string ToArgumentText() => Value;

    internal override void WriteJson(StringBuilder builder) => WriteString(builder, Value);
}

/// <summary>A number, a boolean or null, kept as its JSON text.</summary>
public sealed record JsonishLiteral(string Text) : JsonishValue
{
    public override string ToArgumentText() => Text == "null" ? "" : Text;

    internal override void WriteJson(StringBuilder builder) => builder.Append(Text);
}

public sealed record JsonishArray(IReadOnlyList<JsonishValue> Items) : JsonishValue
{
    public override string ToArgumentText() =>
        Items.All(i => i is JsonishString or JsonishLiteral) ? string.Join(",", Items.Select(i => i.ToArgumentText())) : ToJson();

    internal override void WriteJson(StringBuilder builder)
    {
        builder.Append('[');
        for (var i = 0; i < Items.Count; i++)
        {
            if (i > 0) builder.Append(',');
            Items[i].WriteJson(builder);
        }
        builder.Append(']');
    }
}

public sealed record JsonishObject(IReadOnlyList<KeyValuePair<string, JsonishValue>> Members) : JsonishValue
{
    public override string ToArgumentText() => ToJson();

    /// <summary>
    /// The members as tool arguments: the name as written (trimmed) to the argument text. Names are unique, because
    /// the reader refuses one name given two values.
    /// </summary>
    public Dictionary<string, string> ToArguments()
    {
        var arguments = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in Members) arguments[key.Trim()] = value.ToArgumentText();
        return arguments;
    }

    /// <summary>The first member whose key, normalised as tool arguments are, is one of <paramref name="keys"/>.</summary>
    public JsonishValue? Find(params ReadOnlySpan<string> keys)
    {
        foreach (var (key, value) in Members)
        {
            var normalised = ReActParser.NormaliseKey(key);
            foreach (var wanted in keys)
            {
                if (normalised == wanted) return value;
            }
        }
        return null;
    }

    internal override void WriteJson(StringBuilder builder)
    {
        builder.Append('{');
        for (var i = 0; i < Members.Count; i++)
        {
            if (i > 0) builder.Append(',');
            WriteString(builder, Members[i].Key);
            builder.Append(':');
            Members[i].Value.WriteJson(builder);
        }
        builder.Append('}');
    }
}

/// <summary>What <see cref="LenientJsonReader.Read"/> made of a text.</summary>
/// <param name="Value">The value read, or null when the text has no single sensible reading.</param>
/// <param name="End">Where the value ended in the text (the caller decides what the rest means).</param>
/// <param name="Repairs">What was repaired, in words, once each.</param>
/// <param name="Problem">Why nothing was read, phrased for the model; null on success.</param>
public sealed record LenientJsonResult(JsonishValue? Value, int End, IReadOnlyList<string> Repairs, string? Problem);

/// <summary>
/// Reads JSON as models write it, in one pass and linear time. Repairs what has one sensible reading (single or
/// missing quotes, missing commas, colons and closing brackets, trailing commas, comments, raw line breaks in
/// strings, Python literals, a stray <c>\n</c> between values) and reports each repair; refuses what has two
/// (a key without a value, one key given two values, text that ends inside a string, nesting beyond a limit).
/// </summary>
public sealed class LenientJsonReader
{
    /// <summary>Deepest nesting accepted; tool arguments are flat, so anything deeper is not an argument list.</summary>
    public const int MaxDepth = 32;

    private readonly string _text;
    private readonly List<string> _repairs = [];
    private int _position;
    private int _depth;
    private string? _problem;

    private LenientJsonReader(string text, int start)
    {
        _text = text;
        _position = start;
    }

    /// <summary>Reads one value starting at <paramref name="start"/> (leading space and comments are skipped).</summary>
    public static LenientJsonResult Read(string text, int start = 0)
    {
        var reader = new LenientJsonReader(text, start);
        reader.SkipSpace();
        var value = reader.ReadValue(key: null);
        return value is null
            ? new LenientJsonResult(null, reader._position, reader._repairs, reader._problem ?? "no value could be read")
            : new LenientJsonResult(value, reader._position, reader._repairs, null);
    }

    private bool AtEnd => _position >= _text.Length;

    private char Current => _text[_position];

    private JsonishValue? ReadValue(string? key)
    {
        if (AtEnd) return Fail(key is null ? "the text ends where a value should start" : $"'{key}' has no value");
        return Current switch
        {
            '{' => ReadObject(),
            '[' => ReadArray(),
            '"' or '\'' or '`' => ReadString(key) is { } s ? new JsonishString(s) : null,
            _ => ReadBareValue(key),
        };
    }

    private enum Entry { Finished, Skipped, Next }

    private JsonishObject? ReadObject()
    {
        if (++_depth > MaxDepth) return Fail<JsonishObject>($"the input is nested deeper than {MaxDepth} levels");
        _position++;
        var members = new List<KeyValuePair<string, JsonishValue>>();
        for (var entry = BeforeEntry('}'); entry != Entry.Finished; entry = BeforeEntry('}'))
        {
            if (entry == Entry.Skipped) continue;
            var key = ReadKey();
            if (key is null) return null;
            SkipSpace();
            if (!AtEnd && Current is ':' or '=')
            {
                if (Current == '=') Repair("read '=' as ':'");
                _position++;
            }
            else if (!AtEnd && (Current is '"' or '\'' or '{' or '[' or '-' || char.IsDigit(Current)))
            {
                Repair("inserted a missing ':'");
            }
            else
            {
                return Fail<JsonishObject>($"'{Shorten(key)}' has no value");
            }
            SkipSpace();
            var value = ReadValue(key);
            if (value is null) return null;

            var previous = members.FindIndex(m => string.Equals(ReActParser.NormaliseKey(m.Key), ReActParser.NormaliseKey(key), StringComparison.Ordinal));
            if (previous >= 0)
            {
                if (members[previous].Value.ToJson() != value.ToJson())
                    return Fail<JsonishObject>($"'{Shorten(key)}' is given twice, as {Shorten(members[previous].Value.ToJson())} and as {Shorten(value.ToJson())}");
                Repair($"dropped a repeated '{Shorten(key)}'");
            }
            else
            {
                members.Add(new(key, value));
            }
            if (!AfterEntry(keyFollows: true)) return Fail<JsonishObject>($"unexpected '{Current}' after the value of '{Shorten(key)}'");
        }
        _depth--;
        return new JsonishObject(members);
    }

    private JsonishArray? ReadArray()
    {
        if (++_depth > MaxDepth) return Fail<JsonishArray>($"the input is nested deeper than {MaxDepth} levels");
        _position++;
        var items = new List<JsonishValue>();
        for (var entry = BeforeEntry(']'); entry != Entry.Finished; entry = BeforeEntry(']'))
        {
            if (entry == Entry.Skipped) continue;
            var value = ReadValue(key: null);
            if (value is null) return null;
            items.Add(value);
            AfterEntry(keyFollows: false);
        }
        _depth--;
        return new JsonishArray(items);
    }

    /// <summary>
    /// What may come before a member or item: the end of the text or the other bracket's closer (both mean this
    /// container's closer is missing), the closer itself, or an extra comma.
    /// </summary>
    private Entry BeforeEntry(char closer)
    {
        SkipSpace();
        if (AtEnd || (Current is '}' or ']' && Current != closer))
        {
            Repair($"added the missing '{closer}'");
            return Entry.Finished;
        }
        if (Current == closer)
        {
            _position++;
            return Entry.Finished;
        }
        if (Current != ',') return Entry.Next;
        _position++;
        Repair("dropped an extra ','");
        return Entry.Skipped;
    }

    /// <summary>What may follow a member or item: a comma (perhaps trailing), a closer, or the next entry with its comma missing.</summary>
    private bool AfterEntry(bool keyFollows)
    {
        SkipSpace();
        if (AtEnd || Current is '}' or ']') return true;
        if (Current == ',')
        {
            _position++;
            SkipSpace();
            if (!AtEnd && Current is '}' or ']') Repair("dropped a trailing ','");
            return true;
        }
        if (keyFollows && !(Current is '"' or '\'' or '`' || char.IsLetter(Current) || Current == '_')) return false;
        Repair("inserted a missing ','");
        return true;
    }

    private string? ReadKey()
    {
        if (Current is '"' or '\'' or '`') return ReadString(key: null);
        var start = _position;
        while (!AtEnd && Current is not (':' or '=' or ',' or '{' or '}' or '[' or ']' or '"' or '\'' or '\n')) _position++;
        var key = _text[start.._position].Trim();
        if (key.Length == 0) return Fail<string>($"expected a key but found '{(AtEnd ? "the end" : Current.ToString())}'");
        Repair("quoted bare keys");
        return key;
    }

    private string? ReadString(string? key)
    {
        var quote = Current;
        if (quote != '"') Repair(quote == '\'' ? "read single quotes as double quotes" : "read backticks as double quotes");
        _position++;
        var builder = new StringBuilder();
        while (!AtEnd)
        {
            var c = Current;
            if (c == '\\' && _position + 1 < _text.Length)
            {
                ReadEscape(builder, quote);
                continue;
            }
            if (c == quote)
            {
                if (IsClosingQuote(_position))
                {
                    _position++;
                    return builder.ToString();
                }
                Repair("kept an unescaped quote inside a string");
            }
            else if (c == '\n')
            {
                Repair("kept a raw line break inside a string");
            }
            else if (c < ' ' && c != '\r')
            {
                Repair("kept a raw control character inside a string");
            }
            builder.Append(c);
            _position++;
        }
        return Fail<string>(key is null
            ? "the text ends inside a string; was the reply cut off?"
            : $"the text ends inside the value of '{Shorten(key)}'; was the reply cut off?");
    }

    private void ReadEscape(StringBuilder builder, char quote)
    {
        var next = _text[_position + 1];
        _position += 2;
        switch (next)
        {
            case '"' or '\\' or '/':
                builder.Append(next);
                break;
            case 'b': builder.Append('\b'); break;
            case 'f': builder.Append('\f'); break;
            case 'n': builder.Append('\n'); break;
            case 'r': builder.Append('\r'); break;
            case 't': builder.Append('\t'); break;
            case 'u' when _position + 4 <= _text.Length && ushort.TryParse(_text.AsSpan(_position, 4), System.Globalization.NumberStyles.HexNumber, null, out var code):
                builder.Append((char)code);
                _position += 4;
                break;
            default:
                if (next != quote) Repair("kept an unknown escape as written");
                if (next != quote) builder.Append('\\');
                builder.Append(next);
                break;
        }
    }

    /// <summary>
    /// A quote ends its string only where a string can end: before a delimiter, a comment, another string, the end,
    /// or a bare key and its colon. Anything else is a quote the model forgot to escape.
    /// </summary>
    private bool IsClosingQuote(int at)
    {
        var i = at + 1;
        while (i < _text.Length && char.IsWhiteSpace(_text[i])) i++;
        if (i >= _text.Length) return true;
        var c = _text[i];
        if (c is ',' or '}' or ']' or ':' or '"' or '\'' or '`') return true;
        if (c == '/' && i + 1 < _text.Length && _text[i + 1] is '/' or '*') return true;
        if (i == at + 1 || !(char.IsLetter(c) || c == '_')) return false;
        while (i < _text.Length && (char.IsLetterOrDigit(_text[i]) || _text[i] is '_' or '-')) i++;
        while (i < _text.Length && _text[i] is ' ' or '\t') i++;
        return i < _text.Length && _text[i] is ':' or '=';
    }

    private JsonishValue? ReadBareValue(string? key)
    {
        var start = _position;
        while (!AtEnd && Current is not (',' or '}' or ']' or '\n') && !AtCommentStart()) _position++;
        var raw = _text[start.._position].Trim();
        if (raw.Length == 0)
            return Fail(key is null ? $"unexpected '{(AtEnd ? "end" : Current.ToString())}' where a value should be" : $"'{Shorten(key)}' has no value");
        switch (raw)
        {
            case "true" or "false" or "null":
                return new JsonishLiteral(raw);
            case "True" or "False" or "None":
                Repair("read Python's True/False/None as JSON");
                return new JsonishLiteral(raw == "None" ? "null" : raw.ToLowerInvariant());
        }
        if (IsJsonNumber(raw)) return new JsonishLiteral(raw);
        Repair("quoted bare values");
        return new JsonishString(raw);
    }

    private static bool IsJsonNumber(string text)
    {
        var i = 0;
        if (i < text.Length && text[i] == '-') i++;
        var digits = i;
        while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
        if (i == digits || (text[digits] == '0' && i - digits > 1)) return false;
        if (i < text.Length && text[i] == '.')
        {
            var fraction = ++i;
            while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
            if (i == fraction) return false;
        }
        if (i < text.Length && text[i] is 'e' or 'E')
        {
            i++;
            if (i < text.Length && text[i] is '+' or '-') i++;
            var exponent = i;
            while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
            if (i == exponent) return false;
        }
        return i == text.Length;
    }

    private bool AtCommentStart() =>
        Current == '/' && _position + 1 < _text.Length && _text[_position + 1] is '/' or '*';

    private void SkipSpace()
    {
        while (!AtEnd)
        {
            var c = Current;
            if (char.IsWhiteSpace(c))
            {
                _position++;
            }
            else if (AtCommentStart())
            {
                Repair("removed comments");
                var block = _text[_position + 1] == '*';
                var end = block ? _text.IndexOf("*/", _position + 2, StringComparison.Ordinal) : _text.IndexOf('\n', _position);
                _position = end < 0 ? _text.Length : end + (block ? 2 : 1);
            }
            else if (c == '\\' && _position + 1 < _text.Length && _text[_position + 1] is 'n' or 'r' or 't')
            {
                // Seen from models that escape their own layout: a literal \n between values, outside any string.
                Repair("removed a stray '\\n' between values");
                _position += 2;
            }
            else
            {
                return;
            }
        }
    }

    private void Repair(string what)
    {
        if (!_repairs.Contains(what)) _repairs.Add(what);
    }

    private T? Fail<T>(string problem) where T : class
    {
        _problem ??= problem;
        return null;
    }

    private JsonishValue? Fail(string problem) => Fail<JsonishValue>(problem);

    private static string Shorten(string text) => text.Length > 40 ? text[..40] + "..." : text;
}
