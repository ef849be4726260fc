using VisionAgent.Plugins.Caption;
using VisionAgent.Testing.Onnx;

namespace VisionAgent.Plugins.Caption.Tests;

/// <summary>Scripted ViT-GPT2-layout exports, written once for the test class.</summary>
public sealed class CaptionModels : IDisposable
{
    public const int EndOfText = 50256;

    public CaptionModels()
    {
        Root = Path.Combine(Path.GetTempPath(), "visionagent-caption-models", Guid.NewGuid().ToString("N"));
        var gpt2 = CaptionTokenizer.Gpt2Default();
        CatTokens = gpt2.Encode("a cat sitting on a couch");
        new VisionEncoderDecoderExport(CaptionScript.Sequence(CatTokens, EndOfText, EndOfText)).SaveAll(Cat);

        // Greedy takes "a" (0.5) then " dog" (0.4): 0.20. Beam search finds "two" (0.4) then " cats" (0.9): 0.36.
        int a = Single(gpt2, "a"), two = Single(gpt2, "two"), dog = Single(gpt2, " dog"), cat = Single(gpt2, " cat"),
            man = Single(gpt2, " man"), cats = Single(gpt2, " cats");
        var beam = new CaptionScript()
            .AtPosition(0, a, MathF.Log(0.5f)).AtPosition(0, two, MathF.Log(0.4f))
            .AtPosition(1, dog, 0).AtPosition(1, cat, 0).AtPosition(1, man, 0).AtPosition(1, cats, 0)
            .After(a, dog, MathF.Log(0.4f)).After(a, cat, MathF.Log(0.3f)).After(a, man, MathF.Log(0.3f)).After(a, cats, -40f)
            .After(two, cats, MathF.Log(0.9f)).After(two, dog, -40f).After(two, cat, -40f).After(two, man, -40f)
            .AtPosition(2, EndOfText, 0);
        new VisionEncoderDecoderExport(beam).SaveAll(Beam);

        // " a dog and a dog and ..." unless the bigram " a dog" may not repeat, which leaves " a cat" and the end.
        int spaceA = Single(gpt2, " a"), and = Single(gpt2, " and");
        var loop = new CaptionScript { Baseline = -20f };
        for (var p = 0; p < loop.Positions; p++) loop.AtPosition(p, 0, -20f);
        loop.After(EndOfText, spaceA, 5f).After(spaceA, dog, 5f).After(spaceA, cat, 3f).After(dog, and, 5f).After(and, spaceA, 5f).After(cat, EndOfText, 5f);
        new VisionEncoderDecoderExport(loop).SaveAll(Loop);
    }

    public string Root { get; }
    public IReadOnlyList<int> CatTokens { get; }
    public string Cat => Path.Combine(Root, "cat");
    public string Beam => Path.Combine(Root, "beam");
    public string Loop => Path.Combine(Root, "loop");

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A model still mapped by a session; the temp folder is cleaned by the OS.
        }
    }

    private static int Single(CaptionTokenizer tokenizer, string text)
    {
        var ids = tokenizer.Encode(text);
        return ids.Count == 1 ? ids[0] : throw new InvalidOperationException($"'{text}' is {ids.Count} GPT-2 tokens, not one");
    }
}
