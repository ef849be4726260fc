using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using VisionAgent.Abstractions;

namespace VisionAgent.Plugins.Edit.Diffusion;

/// <summary>
/// CLIP's byte-level BPE (as the text encoders of Stable Diffusion 1.x were trained with): text cleaned and
/// lower-cased, split by CLIP's pattern, each piece mapped through the byte-to-unicode table, the last symbol
/// of every word carrying the <c>&lt;/w&gt;</c> suffix, merged by rank, then wrapped in start/end tokens and
/// padded or truncated to 77 ids.
/// </summary>
/// <remarks>
/// Written here rather than on Microsoft.ML.Tokenizers: its BPE model has an end-of-word suffix but not CLIP's
/// byte-to-unicode mapping and pre-tokenisation together, and a near-miss tokenizer silently degrades prompts.
/// </remarks>
public sealed partial class ClipTokenizer
{
    public const int MaxLength = 77;
    public const int DefaultBosId = 49406;
    public const int DefaultEosId = 49407;
    private const string EndOfWord = "</w>";

    private static readonly string[] ByteToUnicode = BuildByteToUnicode();
    private readonly Dictionary<string, int> _vocab;
    private readonly Dictionary<(string, string), int> _ranks;
    private readonly Dictionary<string, string[]> _cache = new(StringComparer.Ordinal);
    private readonly Lock _cacheGate = new();

    public ClipTokenizer(Dictionary<string, int> vocab, IEnumerable<(string Left, string Right)> merges)
    {
        _vocab = vocab;
        _ranks = [];
        foreach (var merge in merges) _ranks.TryAdd(merge, _ranks.Count);
        BosId = vocab.GetValueOrDefault("<|startoftext|>", DefaultBosId);
        EosId = vocab.GetValueOrDefault("<|endoftext|>", DefaultEosId);
        PadId = EosId;
    }

    public int BosId { get; }

    public int EosId { get; }

    /// <summary>Stable Diffusion 1.x pads with the end token.</summary>
    public int PadId { get; }

    /// <summary>Reads tokenizer/vocab.json and tokenizer/merges.txt as the diffusers layout stores them.</summary>
    public static ClipTokenizer Load(string vocabPath, string mergesPath)
    {
        Dictionary<string, int> vocab;
        try
        {
            vocab = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(vocabPath))
                ?? throw new BadInputException($"tokenizer vocabulary is empty: {vocabPath}");
        }
        catch (JsonException ex)
        {
            throw new BadInputException($"tokenizer vocabulary is not a JSON object of token ids: {vocabPath}", ex);
        }
        var merges = new List<(string, string)>();
        foreach (var line in File.ReadLines(mergesPath))
        {
            if (line.StartsWith("#version", StringComparison.Ordinal) || line.Length == 0) continue;
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space <= 0) throw new BadInputException($"malformed merge '{line}' in {mergesPath}");
            merges.Add((line[..space], line[(space + 1)..]));
        }
        return new ClipTokenizer(vocab, merges);
    }

    /// <summary>The BPE pieces of the text, without start/end tokens (for tests and diagnostics).</summary>
    public IReadOnlyList<string> Tokenize(string text)
    {
        var pieces = new List<string>();
        foreach (Match match in WordPattern().Matches(Clean(text)))
        {
            if (match.Value is "<|startoftext|>" or "<|endoftext|>")
            {
                pieces.Add(match.Value);
                continue;
            }
            var bytes = Encoding.UTF8.GetBytes(match.Value);
            var mapped = string.Concat(bytes.Select(b => ByteToUnicode[b]));
            pieces.AddRange(Bpe(mapped));
        }
        return pieces;
    }

    /// <summary>Exactly 77 ids: start token, up to 75 text tokens, end token, then padding.</summary>
    public int[] Encode(string text)
    {
        var ids = new int[MaxLength];
        Array.Fill(ids, PadId);
        ids[0] = BosId;
        var n = 1;
        foreach (var piece in Tokenize(text))
        {
            if (n == MaxLength - 1) break;
            ids[n++] = _vocab.TryGetValue(piece, out var id) ? id : EosId;
        }
        ids[n] = EosId;
        return ids;
    }

    private static string Clean(string text)
    {
        var unescaped = WebUtility.HtmlDecode(WebUtility.HtmlDecode(text));
        return Whitespace().Replace(unescaped, " ").Trim().ToLowerInvariant();
    }

    private string[] Bpe(string token)
    {
        lock (_cacheGate)
        {
            if (_cache.TryGetValue(token, out var cached)) return cached;
        }
        var word = new List<string>(token.Length);
        var symbols = SplitSymbols(token);
        for (var i = 0; i < symbols.Count - 1; i++) word.Add(symbols[i]);
        word.Add(symbols[^1] + EndOfWord);
        while (word.Count > 1)
        {
            var bestRank = int.MaxValue;
            (string, string) best = default;
            for (var i = 0; i < word.Count - 1; i++)
            {
                if (_ranks.TryGetValue((word[i], word[i + 1]), out var rank) && rank < bestRank)
                {
                    bestRank = rank;
                    best = (word[i], word[i + 1]);
                }
            }
            if (bestRank == int.MaxValue) break;
            var merged = new List<string>(word.Count);
            for (var i = 0; i < word.Count; i++)
            {
                if (i < word.Count - 1 && word[i] == best.Item1 && word[i + 1] == best.Item2)
                {
                    merged.Add(best.Item1 + best.Item2);
                    i++;
                }
                else
                {
                    merged.Add(word[i]);
                }
            }
            word = merged;
        }
        var result = word.ToArray();
        lock (_cacheGate) _cache[token] = result;
        return result;
    }

    // The byte-to-unicode table maps into the BMP, so each symbol is one UTF-16 char.
    private static List<string> SplitSymbols(string token) => token.Select(c => c.ToString()).ToList();

    private static string[] BuildByteToUnicode()
    {
        var printable = new List<int>();
        printable.AddRange(Enumerable.Range('!', '~' - '!' + 1));
        printable.AddRange(Enumerable.Range('¡', '¬' - '¡' + 1));
        printable.AddRange(Enumerable.Range('®', 'ÿ' - '®' + 1));
        var table = new string[256];
        var extra = 0;
        for (var b = 0; b < 256; b++)
            table[b] = printable.Contains(b) ? ((char)b).ToString() : ((char)(256 + extra++)).ToString();
        return table;
    }

    [GeneratedRegex(@"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex WordPattern();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
