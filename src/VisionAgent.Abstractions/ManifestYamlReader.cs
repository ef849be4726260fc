using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace VisionAgent.Abstractions;

/// <summary>
/// Maps an <c>expert.yaml</c> onto the manifest types straight from the YAML parser's events, key by key. The
/// reflection-based deserializer this replaces cost more on first use (type inspection, naming conventions,
/// property setters) than parsing the YAML itself, and every command that lists or runs an expert reads every
/// manifest. Unknown and repeated keys, missing required keys and values of the wrong kind are errors naming the
/// line; aliases are expanded (<see cref="AliasExpandingEvents"/>).
/// </summary>
internal sealed class ManifestYamlReader
{
    private static readonly string[] ManifestKeys = ["name", "description", "kind", "assembly", "routing", "models", "settings", "license"];
    private static readonly string[] RuleKeys = ["examples", "keywords", "function", "arguments", "after", "slots", "require", "answer"];
    private static readonly string[] ModelKeys = ["name", "file", "size", "sha256", "license", "required", "group", "auto_fetch", "needed_by", "sources"];
    private static readonly string[] SourceKeys = ["npm", "nuget", "url", "path", "chunk_index", "chunk_key"];

    private readonly AliasExpandingEvents _events;

    public ManifestYamlReader(string text) => _events = new AliasExpandingEvents(text);

    /// <summary>The line of the last event read, for parser failures that come without a position.</summary>
    public long Line => _events.Line;

    /// <summary>The manifest, or null when the document is empty.</summary>
    /// <exception cref="ManifestFormatException">The text is not a manifest; the message names what and the line.</exception>
    /// <exception cref="YamlException">The text is not valid YAML.</exception>
    public ExpertManifest? Read() => ReadStream();

    private ExpertManifest? ReadStream()
    {
        Expect<StreamStart>("the start of the file");
        if (_events.Peek() is StreamEnd) return null;
        Expect<DocumentStart>("a document");
        ExpertManifest? manifest = null;
        if (!IsNull(_events.Peek())) manifest = ReadManifest();
        else _events.Read();
        Expect<DocumentEnd>("the end of the manifest");
        if (_events.Peek() is not StreamEnd)
            throw Error(_events.Peek(), "the file holds more than one YAML document; a manifest is one document");
        return manifest;
    }

    private ExpertManifest ReadManifest()
    {
        string? name = null, description = null, kind = null, assembly = null, license = null;
        List<RoutingRule> routing = [];
        List<ModelFileSpec> models = [];
        Dictionary<string, string> settings = [];
        var start = ReadMapping("the manifest", ManifestKeys, key =>
        {
            switch (key)
            {
                case "name": name = ReadString(key); break;
                case "description": description = ReadString(key); break;
                case "kind": kind = ReadString(key); break;
                case "assembly": assembly = ReadString(key); break;
                case "license": license = ReadString(key); break;
                case "routing": routing = ReadList(key, i => ReadRule($"routing[{i}]")); break;
                case "models": models = ReadList(key, i => ReadModel($"models[{i}]")); break;
                default: settings = ReadStringMap(key); break;
            }
        });
        return new ExpertManifest
        {
            Name = name ?? throw Error(start, "the manifest needs 'name'"),
            Description = description ?? throw Error(start, "the manifest needs 'description'"),
            Kind = kind ?? "code",
            Assembly = assembly,
            Routing = routing,
            Models = models,
            Settings = settings,
            License = license,
        };
    }

    private RoutingRule ReadRule(string where)
    {
        List<string> examples = [], keywords = [], after = [], require = [];
        Dictionary<string, string> arguments = [], slots = [];
        string? function = null, answer = null;
        ReadMapping(where, RuleKeys, key =>
        {
            switch (key)
            {
                case "examples": examples = ReadStrings(key); break;
                case "keywords": keywords = ReadStrings(key); break;
                case "after": after = ReadStrings(key); break;
                case "require": require = ReadStrings(key); break;
                case "arguments": arguments = ReadStringMap(key); break;
                case "slots": slots = ReadStringMap(key); break;
                case "function": function = ReadString(key); break;
                default: answer = ReadString(key); break;
            }
        });
        return new RoutingRule
        {
            Examples = examples, Keywords = keywords, After = after, Require = require,
            Arguments = arguments, Slots = slots, Function = function, Answer = answer,
        };
    }

    private ModelFileSpec ReadModel(string where)
    {
        string? name = null, file = null, sha256 = null, license = null, group = null;
        long? size = null;
        var required = true;
        var autoFetch = false;
        List<string> neededBy = [];
        List<ModelSource> sources = [];
        var start = ReadMapping(where, ModelKeys, key =>
        {
            switch (key)
            {
                case "name": name = ReadString(key); break;
                case "file": file = ReadString(key); break;
                case "sha256": sha256 = ReadString(key); break;
                case "license": license = ReadString(key); break;
                case "group": group = ReadString(key); break;
                case "size": size = ReadWholeNumber(key); break;
                case "required": required = ReadBoolean(key); break;
                case "auto_fetch": autoFetch = ReadBoolean(key); break;
                case "needed_by": neededBy = ReadStrings(key); break;
                default: sources = ReadList(key, i => ReadSource($"{where}.sources[{i}]")); break;
            }
        });
        return new ModelFileSpec
        {
            Name = name ?? throw Error(start, $"{where} needs 'name'"),
            File = file ?? throw Error(start, $"{where} needs 'file'"),
            Size = size, Sha256 = sha256, License = license, Required = required, Group = group,
            AutoFetch = autoFetch, NeededBy = neededBy, Sources = sources,
        };
    }

    private ModelSource ReadSource(string where)
    {
        string? npm = null, nuget = null, url = null, path = null, chunkIndex = null, chunkKey = null;
        ReadMapping(where, SourceKeys, key =>
        {
            switch (key)
            {
                case "npm": npm = ReadString(key); break;
                case "nuget": nuget = ReadString(key); break;
                case "url": url = ReadString(key); break;
                case "path": path = ReadString(key); break;
                case "chunk_index": chunkIndex = ReadString(key); break;
                default: chunkKey = ReadString(key); break;
            }
        });
        return new ModelSource { Npm = npm, Nuget = nuget, Url = url, Path = path, ChunkIndex = chunkIndex, ChunkKey = chunkKey };
    }

    /// <summary>Reads a mapping whose keys are among <paramref name="known"/>, handing each value to <paramref name="readValue"/>.</summary>
    private ParsingEvent ReadMapping(string where, string[] known, Action<string> readValue)
    {
        var start = _events.Read();
        if (start is not MappingStart)
            throw Error(start, $"{where} must be a mapping of keys to values, got {Describe(start)}");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (_events.Peek() is not MappingEnd)
        {
            var key = ReadKey(where);
            if (Array.IndexOf(known, key.Value) < 0)
                throw Error(key, $"unknown key '{key.Value}' in {where}; known keys: {string.Join(", ", known)}");
            if (!seen.Add(key.Value))
                throw Error(key, $"'{key.Value}' appears twice in {where}");
            readValue(key.Value);
        }
        _events.Read();
        return start;
    }

    private List<T> ReadList<T>(string key, Func<int, T> readItem)
    {
        var start = _events.Read();
        if (IsNull(start)) return [];
        if (start is not SequenceStart)
            throw Error(start, $"'{key}' must be a list, got {Describe(start)}");
        var items = new List<T>();
        while (_events.Peek() is not SequenceEnd) items.Add(readItem(items.Count));
        _events.Read();
        return items;
    }

    /// <summary>A list of values; YAML nulls in it are left out.</summary>
    private List<string> ReadStrings(string key) => [.. ReadList(key, _ => ReadString(key)).OfType<string>()];

    private Dictionary<string, string> ReadStringMap(string key)
    {
        var start = _events.Read();
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (IsNull(start)) return map;
        if (start is not MappingStart)
            throw Error(start, $"'{key}' must be a mapping of names to values, got {Describe(start)}");
        while (_events.Peek() is not MappingEnd)
        {
            var name = ReadKey(key);
            if (!seen.Add(name.Value))
                throw Error(name, $"'{name.Value}' appears twice in '{key}'");
            // A name with no value is unset, as if it were not there: the expert's own default applies.
            if (ReadString($"{key}.{name.Value}") is { } value) map[name.Value] = value;
        }
        _events.Read();
        return map;
    }

    private Scalar ReadKey(string where)
    {
        var key = _events.Read();
        return key is Scalar scalar
            ? scalar
            : throw Error(key, $"the keys of {where} must be plain names, got {Describe(key)}");
    }

    /// <summary>A scalar's text; null for YAML's null (<c>~</c>, <c>null</c> or nothing).</summary>
    private string? ReadString(string key)
    {
        var value = _events.Read();
        if (value is not Scalar scalar)
            throw Error(value, $"'{key}' must be a single value, got {Describe(value)}");
        return IsNull(scalar) ? null : scalar.Value;
    }

    private long? ReadWholeNumber(string key)
    {
        var value = _events.Peek();
        var text = ReadString(key);
        if (text is null) return null;
        return long.TryParse(text.Replace("_", "", StringComparison.Ordinal), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw Error(value, $"'{key}' expects a whole number, got '{Shorten(text)}'");
    }

    private bool ReadBoolean(string key)
    {
        var value = _events.Peek();
        var text = ReadString(key);
        return text?.ToLowerInvariant() switch
        {
            "true" or "yes" or "on" => true,
            "false" or "no" or "off" => false,
            _ => throw Error(value, $"'{key}' expects true or false, got '{Shorten(text ?? "null")}'"),
        };
    }

    private void Expect<T>(string what) where T : ParsingEvent
    {
        var next = _events.Read();
        if (next is not T) throw Error(next, $"expected {what}, got {Describe(next)}");
    }

    private static bool IsNull(ParsingEvent value) =>
        value is Scalar { Style: ScalarStyle.Plain, Value: "" or "~" or "null" or "Null" or "NULL" };

    private static string Describe(ParsingEvent value) => value switch
    {
        MappingStart => "a mapping",
        SequenceStart => "a list",
        Scalar scalar => $"'{Shorten(scalar.Value)}'",
        DocumentStart => "another document",
        _ => "the end of the file",
    };

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";

    private static ManifestFormatException Error(ParsingEvent at, string message) => new(at.Start.Line, message);
}

/// <summary>A manifest that is valid YAML but not a valid manifest, with the line it was found on.</summary>
internal sealed class ManifestFormatException(long line, string message) : Exception(message)
{
    public long Line { get; } = line;
}

/// <summary>
/// The parser's events with every alias replaced by the events of the node it names, so a manifest may share a
/// list of sources through an anchor. The expansion is bounded, so a few hundred bytes of nested aliases cannot
/// stand for billions of events.
/// </summary>
internal sealed class AliasExpandingEvents(string text)
{
    /// <summary>The most events a manifest may stand for once its aliases are expanded.</summary>
    public const int MaxEvents = 200_000;

    private readonly Parser _parser = new(new StringReader(text));
    private readonly Dictionary<string, List<ParsingEvent>> _anchored = new(StringComparer.Ordinal);
    private readonly List<(string Anchor, List<ParsingEvent> Events, int Depth)> _recording = [];
    private readonly Queue<ParsingEvent> _replay = new();
    private ParsingEvent? _peeked;
    private int _depth;
    private int _count;

    /// <summary>The line of the last event read.</summary>
    public long Line { get; private set; } = 1;

    public ParsingEvent Peek() => _peeked ??= Next() ?? throw new ManifestFormatException(Line, "the file ends in the middle of the manifest");

    public ParsingEvent Read()
    {
        var next = Peek();
        _peeked = null;
        return next;
    }

    public ParsingEvent? TryRead()
    {
        if (_peeked is { } peeked)
        {
            _peeked = null;
            return peeked;
        }
        return Next();
    }

    private ParsingEvent? Next()
    {
        ParsingEvent next;
        if (_replay.Count > 0)
        {
            next = _replay.Dequeue();
        }
        else
        {
            if (!_parser.MoveNext()) return null;
            next = _parser.Current!;
            Line = next.Start.Line;
            if (next is AnchorAlias alias)
            {
                if (!_anchored.TryGetValue(alias.Value.Value, out var events))
                    throw new ManifestFormatException(Line, $"the alias *{alias.Value.Value} names no anchor before it (or the node it names is not finished)");
                foreach (var replayed in events) _replay.Enqueue(replayed);
                return Next();
            }
        }
        if (++_count > MaxEvents)
            throw new ManifestFormatException(Line, $"the manifest stands for more than {MaxEvents:N0} values once its aliases are expanded");
        Record(next);
        return next;
    }

    private void Record(ParsingEvent next)
    {
        foreach (var recording in _recording) recording.Events.Add(next);
        if (next is NodeEvent { Anchor.IsEmpty: false } node)
        {
            if (next is Scalar) _anchored[node.Anchor.Value] = [next];
            else _recording.Add((node.Anchor.Value, [next], _depth));
        }
        if (next is MappingStart or SequenceStart) _depth++;
        if (next is MappingEnd or SequenceEnd)
        {
            _depth--;
            for (var i = _recording.Count - 1; i >= 0; i--)
            {
                if (_recording[i].Depth != _depth) continue;
                _anchored[_recording[i].Anchor] = _recording[i].Events;
                _recording.RemoveAt(i);
            }
        }
    }
}
