using SkiaSharp;

namespace VisionAgent.Testing.Rendering;

/// <summary>
/// The fonts shipped with the tests: DejaVu (Bitstream Vera licence, Fonts/LICENSE-DejaVu.txt) and Liberation
/// (SIL OFL 1.1, Fonts/LICENSE-Liberation.txt).
/// </summary>
public enum TestFont
{
    Serif,
    SansMono,
    SerifCondensedBold,
    Sans,
    SansBold,
    LiberationSerif,
    LiberationSans,
    LiberationSansBold,
    LiberationMono,
    SansCondensedBold,
}

/// <summary>One piece of text to draw: its top-left corner, size, colour and an optional rotation about that corner.</summary>
public sealed record TextRun(string Text, float X, float Y, TestFont Font = TestFont.Serif, float Size = 24, uint Color = 0xFF000000, float RotationDegrees = 0);

/// <summary>A filled rectangle (panels, title bars of a screenshot-like image).</summary>
public sealed record FilledRectangle(float X, float Y, float Width, float Height, uint Color);

/// <summary>Renders text images with known content for OCR tests and benchmarks.</summary>
public static class TextImageRenderer
{
    private static readonly Lazy<Dictionary<TestFont, SKTypeface>> Typefaces = new(() => new()
    {
        [TestFont.Serif] = Load("DejaVuSerif.ttf"),
        [TestFont.SansMono] = Load("DejaVuSansMono.ttf"),
        [TestFont.SerifCondensedBold] = Load("DejaVuSerifCondensed-Bold.ttf"),
        [TestFont.Sans] = Load("DejaVuSans.ttf"),
        [TestFont.SansBold] = Load("DejaVuSans-Bold.ttf"),
        [TestFont.LiberationSerif] = Load("LiberationSerif-Regular.ttf"),
        [TestFont.LiberationSans] = Load("LiberationSans-Regular.ttf"),
        [TestFont.LiberationSansBold] = Load("LiberationSans-Bold.ttf"),
        [TestFont.LiberationMono] = Load("LiberationMono-Regular.ttf"),
        [TestFont.SansCondensedBold] = Load("DejaVuSansCondensed-Bold.ttf"),
    });

    /// <summary>
    /// Draws the runs on a background and writes a PNG. <paramref name="noise"/> adds uniform per-pixel noise of
    /// that amplitude (0..255), from a fixed seed so the image is the same every time.
    /// </summary>
    public static string Render(
        string path, int width, int height, IEnumerable<TextRun> runs, uint background = 0xFFFFFFFF,
        int noise = 0, IEnumerable<FilledRectangle>? rectangles = null)
    {
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var surface = SKSurface.Create(info);
        var canvas = surface.Canvas;
        canvas.Clear(new SKColor(background));
        using (var fill = new SKPaint { IsAntialias = true })
        {
            foreach (var rectangle in rectangles ?? [])
            {
                fill.Color = new SKColor(rectangle.Color);
                canvas.DrawRect(rectangle.X, rectangle.Y, rectangle.Width, rectangle.Height, fill);
            }
        }
        foreach (var run in runs)
        {
            using var font = new SKFont(Typefaces.Value[run.Font], run.Size) { Edging = SKFontEdging.Antialias, Subpixel = true };
            using var paint = new SKPaint { Color = new SKColor(run.Color), IsAntialias = true };
            canvas.Save();
            canvas.Translate(run.X, run.Y);
            canvas.RotateDegrees(run.RotationDegrees);
            // Runs are placed by their top-left corner; Skia draws from the baseline.
            canvas.DrawText(run.Text, 0, -font.Metrics.Ascent, SKTextAlign.Left, font, paint);
            canvas.Restore();
        }
        using var image = surface.Snapshot();
        using var bitmap = SKBitmap.FromImage(image);
        if (noise > 0) AddNoise(bitmap, noise);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var file = File.Create(path);
        data.SaveTo(file);
        return path;
    }

    /// <summary>The width in pixels of <paramref name="text"/> drawn in a font and size.</summary>
    public static float MeasureWidth(string text, TestFont font, float size)
    {
        using var skFont = new SKFont(Typefaces.Value[font], size);
        return skFont.MeasureText(text);
    }

    private static void AddNoise(SKBitmap bitmap, int amplitude)
    {
        var random = new Random(1234);
        var pixels = bitmap.Pixels;
        for (var i = 0; i < pixels.Length; i++)
        {
            var p = pixels[i];
            byte Jitter(byte v) => (byte)Math.Clamp(v + random.Next(-amplitude, amplitude + 1), 0, 255);
            pixels[i] = new SKColor(Jitter(p.Red), Jitter(p.Green), Jitter(p.Blue), p.Alpha);
        }
        bitmap.Pixels = pixels;
    }

    private static SKTypeface Load(string file)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fonts", file);
        return SKTypeface.FromFile(path) ?? throw new FileNotFoundException($"test font missing: {path}");
    }
}
