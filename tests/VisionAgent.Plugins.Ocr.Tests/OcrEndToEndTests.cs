using VisionAgent.Imaging;
using VisionAgent.Imaging.Tensors;
using VisionAgent.Onnx;
using VisionAgent.Testing;
using VisionAgent.Testing.Rendering;
using Xunit.Abstractions;

namespace VisionAgent.Plugins.Ocr.Tests;

[Collection(OcrModelsCollection.Name)]
public sealed class OcrEndToEndTests(OcrModelsFixture models, ITestOutputHelper output)
{
    [Fact]
    public void Page_is_read_with_low_character_error_rate()
    {
        using var pixels = RgbPixels.Load(RepositoryPaths.SampleImage("page.png"), new ImageLoader());

        var lines = models.Pipeline.Read(pixels, 0.5f, CancellationToken.None);

        foreach (var line in lines) output.WriteLine($"{line.Row} {line.Confidence:0.000} {line.Box} {line.Text}");
        var text = ReadingOrder.FullText(lines);
        var cer = CharacterErrorRate.Compute(PageText, text);
        output.WriteLine($"CER page {cer:P2}");
        Assert.True(cer < 0.03, $"CER {cer:P2}:\n{text}");
    }

    public static TheoryData<string> Scenes => new(TextScene.All.Select(s => s.Name));

    [Theory]
    [MemberData(nameof(Scenes))]
    public void Rendered_text_is_read_with_low_character_error_rate(string name)
    {
        var scene = TextScene.All.Single(s => s.Name == name);
        var folder = Path.Combine(Path.GetTempPath(), "visionagent-tests", "ocr-scenes");
        using var pixels = RgbPixels.Load(scene.Render(folder), new ImageLoader());

        var lines = models.Pipeline.Read(pixels, 0.5f, CancellationToken.None);

        foreach (var line in lines) output.WriteLine($"{line.Row} {line.Confidence:0.000} {line.Box} {line.Text}");
        var text = ReadingOrder.FullText(lines);
        var cer = CharacterErrorRate.Compute(scene.ExpectedText, text);
        output.WriteLine($"CER {name} {cer:P2}");
        Assert.True(cer < 0.03, $"CER {cer:P2}; expected:\n{scene.ExpectedText}\ngot:\n{text}");
    }

    [Fact]
    public void Lines_recognised_in_parallel_come_back_in_place_and_read_the_same_as_one_at_a_time()
    {
        var folder = Path.Combine(Path.GetTempPath(), "visionagent-tests", "ocr-scenes");
        using var pixels = RgbPixels.Load(TextScene.Screenshot.Render(folder), new ImageLoader());
        using var sessions = new OnnxSessionPool();
        var serial = OcrPipeline.Create(sessions, models.Paths, new OcrOptions { RecWorkers = 1 });
        var parallel = OcrPipeline.Create(models.Sessions, models.Paths, new OcrOptions { RecWorkers = 4 });
        var quads = serial.Detect(pixels, CancellationToken.None).Select(b => b.Quad).ToList();

        var one = serial.Recognize(pixels, quads, CancellationToken.None);
        var many = parallel.Recognize(pixels, quads, CancellationToken.None);

        Assert.True(quads.Count > 8, $"{quads.Count} lines");
        Assert.Equal(one.Select(l => l.Text), many.Select(l => l.Text));
        Assert.Equal(one.Select(l => l.Box), many.Select(l => l.Box));
        Assert.All(one.Zip(many), pair => Assert.Equal(pair.First.Confidence, pair.Second.Confidence, 0.01f));
    }

    public static TheoryData<string> LongLineScenes => new(TextScene.LongLines.Select(s => s.Name));

    [Theory]
    [MemberData(nameof(LongLineScenes))]
    public void Long_lines_are_read_in_either_orientation_with_their_word_spaces(string name)
    {
        var scene = TextScene.LongLines.Single(s => s.Name == name);

        var (expected, text, errors) = ReadScene(scene);

        Assert.True(errors <= Math.Max(1, expected.Length / 50), $"{errors} errors in {expected.Length} characters; expected:\n{expected}\ngot:\n{text}");
    }

    [Fact]
    public void Long_line_set_is_read_at_one_percent_character_error_rate_or_better()
    {
        var total = 0;
        var errors = 0;
        foreach (var scene in TextScene.LongLines)
        {
            var (expected, _, sceneErrors) = ReadScene(scene);
            total += expected.Length;
            errors += sceneErrors;
        }

        var cer = (double)errors / total;
        output.WriteLine($"CER long lines {cer:P2} ({errors} errors in {total} characters, {TextScene.LongLines.Sum(s => s.Runs.Count)} lines)");
        Assert.True(TextScene.LongLines.Sum(s => s.Runs.Count) >= 20);
        Assert.True(cer <= 0.01, $"CER {cer:P2}");
    }

    public static TheoryData<string> WordSpaceScenes => new(TextScene.WordSpaces.Select(s => s.Name));

    [Theory]
    [MemberData(nameof(WordSpaceScenes))]
    public void Word_spaces_are_kept_in_faces_the_rule_was_not_worked_out_on(string name)
    {
        var scene = TextScene.WordSpaces.Single(s => s.Name == name);

        var (expected, text, _) = ReadScene(scene);

        // The lengths of the words, in order, pin every space down; a letter read as a look-alike digit (O as 0
        // in a monospaced face) is the recogniser's matter, not the space rule's.
        Assert.Equal(expected.Split(' ').Select(w => w.Length), text.Split(' ').Select(w => w.Length));
    }

    private (string Expected, string Text, int Errors) ReadScene(TextScene scene)
    {
        var folder = Path.Combine(Path.GetTempPath(), "visionagent-tests", "ocr-scenes");
        using var pixels = RgbPixels.Load(scene.Render(folder), new ImageLoader());

        var lines = models.Pipeline.Read(pixels, 0.5f, CancellationToken.None);

        foreach (var line in lines) output.WriteLine($"{scene.Name} {line.Confidence:0.000} {line.Box} {line.Text}");
        var expected = CharacterErrorRate.Normalize(scene.ExpectedText);
        var text = CharacterErrorRate.Normalize(ReadingOrder.FullText(lines));
        return (expected, text, CharacterErrorRate.EditDistance(expected, text));
    }

    public const string PageText = """
        Region-based segmentation
        Let us first determine markers of the coins and the
        background. These markers are pixels that we can label
        unambiguously as either object or background. Here,
        the markers are found at the two extreme parts of the
        histogram of grey values:
        >>> markers = np.zeros_like(coins)
        """;
}
