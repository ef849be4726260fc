using VisionAgent.Plugins.Edit.Diffusion;
using VisionAgent.Testing;
using VisionAgent.Testing.Onnx;

namespace VisionAgent.Plugins.Edit.Tests;

public sealed class ClipTokenizerTests : IDisposable
{
    private readonly TestExpertHost _host = new();
    private readonly ClipTokenizer _tokenizer;

    public ClipTokenizerTests()
    {
        TinyStableDiffusion.WriteTokenizer(_host.PathFor("vocab.json"), _host.PathFor("merges.txt"));
        _tokenizer = ClipTokenizer.Load(_host.PathFor("vocab.json"), _host.PathFor("merges.txt"));
    }

    [Fact]
    public void Words_are_lower_cased_and_merged_with_the_end_of_word_suffix()
    {
        var pieces = _tokenizer.Tokenize("  A   CAT,\tdog! ");

        Assert.Equal(["a</w>", "cat</w>", ",</w>", "dog</w>", "!</w>"], pieces);
    }

    [Fact]
    public void Unmerged_words_fall_back_to_letters_with_the_suffix_on_the_last()
    {
        Assert.Equal(["c", "o", "w</w>"], _tokenizer.Tokenize("cow"));
        Assert.Equal(["ca", "b</w>"], _tokenizer.Tokenize("cab"));
    }

    [Fact]
    public void Encode_wraps_in_start_and_end_tokens_and_pads_to_77_with_the_end_token()
    {
        var vocab = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(_host.PathFor("vocab.json")))!;

        var ids = _tokenizer.Encode("a cat");

        Assert.Equal(77, ids.Length);
        Assert.Equal([49406, vocab["a</w>"], vocab["cat</w>"], 49407], ids[..4]);
        Assert.All(ids[4..], id => Assert.Equal(49407, id));
    }

    [Fact]
    public void Encode_truncates_long_prompts_to_75_tokens_between_start_and_end()
    {
        var vocab = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(_host.PathFor("vocab.json")))!;

        var ids = _tokenizer.Encode(string.Join(' ', Enumerable.Repeat("dog", 100)));

        Assert.Equal(77, ids.Length);
        Assert.Equal(49406, ids[0]);
        Assert.All(ids[1..76], id => Assert.Equal(vocab["dog</w>"], id));
        Assert.Equal(49407, ids[76]);
    }

    [Fact]
    public void Empty_prompt_is_start_end_and_padding()
    {
        var ids = _tokenizer.Encode("");

        Assert.Equal(49406, ids[0]);
        Assert.All(ids[1..], id => Assert.Equal(49407, id));
    }

    [Fact]
    public void Non_ascii_text_goes_through_the_byte_to_unicode_table()
    {
        // "é" is UTF-8 C3 A9; CLIP's table maps those bytes to 'Ã' and '©'.
        Assert.Equal(["Ã", "©</w>"], _tokenizer.Tokenize("é"));
    }

    public void Dispose() => _host.Dispose();
}
