using VisionAgent.Imaging;
using VisionAgent.Imaging.Tensors;
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
