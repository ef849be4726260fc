namespace VisionAgent.Testing.Rendering;

/// <summary>An image with known text: what to draw and the text a reader should get back, in reading order.</summary>
public sealed record TextScene(
    string Name, int Width, int Height, IReadOnlyList<TextRun> Runs, uint Background = 0xFFFFFFFF, int Noise = 0,
    IReadOnlyList<FilledRectangle>? Rectangles = null)
{
    public string Render(string folder) =>
        TextImageRenderer.Render(Path.Combine(folder, Name + ".png"), Width, Height, Runs, Background, Noise, Rectangles);

    /// <summary>
    /// The runs in reading order: rows top to bottom (runs overlapping vertically by half their height share a
    /// row), left to right within a row; runs of a row joined by spaces, rows by newlines.
    /// </summary>
    public string ExpectedText
    {
        get
        {
            var boxes = Runs.Select(r =>
            {
                var width = TextImageRenderer.MeasureWidth(r.Text, r.Font, r.Size);
                var height = r.Size * 1.15f;
                var upsideDown = Math.Abs(Math.Abs(r.RotationDegrees) - 180) < 1;
                return upsideDown
                    ? (Run: r, X1: r.X - width, Y1: r.Y - height, Y2: r.Y)
                    : (Run: r, X1: r.X, Y1: r.Y, Y2: r.Y + height);
            }).OrderBy(b => (b.Y1 + b.Y2) / 2).ToList();
            var rows = new List<List<(TextRun Run, float X1, float Y1, float Y2)>>();
            foreach (var box in boxes)
            {
                var row = rows.FirstOrDefault(r =>
                {
                    var top = r.Min(b => b.Y1);
                    var bottom = r.Max(b => b.Y2);
                    return MathF.Min(bottom, box.Y2) - MathF.Max(top, box.Y1) >= 0.5f * MathF.Min(box.Y2 - box.Y1, bottom - top);
                });
                if (row is null) rows.Add([box]);
                else row.Add(box);
            }
            return string.Join('\n', rows.OrderBy(r => r.Min(b => b.Y1)).Select(r => string.Join(' ', r.OrderBy(b => b.X1).Select(b => b.Run.Text))));
        }
    }

    private const uint Black = 0xFF000000;

    /// <summary>Several fonts and sizes, dark on white.</summary>
    public static TextScene Fonts { get; } = new("fonts", 900, 360,
    [
        new("Invoice 2024-117: total due 1,284.50 EUR", 30, 30, TestFont.Serif, 30),
        new("ship_to = \"Harbour Street 9, Leeds\"", 30, 95, TestFont.SansMono, 24),
        new("QUARTERLY REVIEW MEETING", 30, 150, TestFont.SerifCondensedBold, 40),
        new("Please reply before Friday, 14 March.", 30, 225, TestFont.Serif, 20),
        new("Order #A-5531 shipped via express courier", 30, 280, TestFont.SansMono, 18),
    ]);

    /// <summary>Light text on dark panels and coloured text on coloured panels.</summary>
    public static TextScene Colours { get; } = new("colours", 800, 330,
    [
        new("Platform 4 departures", 40, 40, TestFont.SerifCondensedBold, 36, 0xFFFFFFFF),
        new("Next train to Bristol at 10:45", 40, 100, TestFont.Serif, 26, 0xFFFFE082),
        new("WARNING: wet floor", 40, 190, TestFont.SerifCondensedBold, 34, 0xFFC62828),
        new("Exit via the north stairs", 40, 250, TestFont.Serif, 24, 0xFF1B5E20),
    ], 0xFFFFFFFF, 0,
    [
        new FilledRectangle(20, 20, 760, 130, 0xFF0D2A5C),
        new FilledRectangle(20, 170, 760, 140, 0xFFFFF59D),
    ]);

    /// <summary>A paragraph turned by a few degrees, as a slightly skewed scan.</summary>
    public static TextScene Rotated { get; } = new("rotated", 820, 420,
    [
        new("The museum opens at nine every morning", 40, 60, TestFont.Serif, 28, Black, 3),
        new("and closes at half past five on weekdays.", 40, 130, TestFont.Serif, 28, Black, 3),
        new("Tickets cost 12 pounds for adults.", 40, 200, TestFont.Serif, 28, Black, 3),
        new("Children under five enter for free.", 40, 270, TestFont.Serif, 28, Black, 3),
    ]);

    /// <summary>A label with one line printed upside down between upright ones.</summary>
    public static TextScene UpsideDown { get; } = new("upside-down", 760, 300,
    [
        new("Handle with care", 40, 30, TestFont.SerifCondensedBold, 34),
        new("This side facing down", 560, 165, TestFont.Serif, 30, Black, 180),
        new("Keep dry and store below 25 C", 40, 200, TestFont.Serif, 28),
    ]);

    /// <summary>Text under strong per-pixel noise.</summary>
    public static TextScene Noisy { get; } = new("noisy", 820, 300,
    [
        new("Meeting room B is booked", 40, 40, TestFont.Serif, 32),
        new("from 14:00 until 16:30 today", 40, 110, TestFont.SansMono, 28),
        new("Contact the front desk for keys", 40, 180, TestFont.Serif, 30),
    ], 0xFFF5F5F5, 45);

    /// <summary>A 1920x1080 screenshot-like page: title bar, side menu and paragraphs of small text.</summary>
    public static TextScene Screenshot { get; } = BuildScreenshot();

    public static IReadOnlyList<TextScene> All => [Fonts, Colours, Rotated, UpsideDown, Noisy, Screenshot];

    private static TextScene BuildScreenshot()
    {
        var runs = new List<TextRun>
        {
            new("Project Tracker - Sprint 42", 24, 14, TestFont.SerifCondensedBold, 24, 0xFFFFFFFF),
        };
        string[] menu = ["Dashboard", "Issues", "Pull requests", "Releases", "Settings"];
        for (var i = 0; i < menu.Length; i++) runs.Add(new(menu[i], 30, 110 + i * 150, TestFont.Serif, 22, 0xFFECEFF1));
        string[] paragraphs =
        [
            "Build 1187 passed all 2,341 tests in 6 minutes and 12 seconds.",
            "The login page now remembers the last used account name.",
            "Fixed a crash when exporting reports with empty date ranges.",
            "Memory use of the indexing service dropped by 18 percent.",
            "Search results are sorted by relevance instead of date.",
            "Two reviewers must approve changes to the billing module.",
            "Release candidate 3 is scheduled for Thursday at 16:00.",
            "Please update your local tools to version 4.2 before Monday.",
            "The staging database will be offline from 22:00 to 23:30.",
            "Open issues: 37 bugs, 12 features, 5 documentation tasks.",
            "Average response time fell from 420 ms to 310 ms this week.",
            "Contact the on-call engineer through the team channel.",
        ];
        for (var i = 0; i < paragraphs.Length; i++)
            runs.Add(new(paragraphs[i], 360, 100 + i * 70, i % 3 == 2 ? TestFont.SansMono : TestFont.Serif, i % 2 == 0 ? 20 : 18, 0xFF212121));
        runs.Add(new("Status: all systems operational", 1500, 1030, TestFont.SansMono, 18, 0xFF2E7D32));
        return new TextScene("screenshot-1080p", 1920, 1080, runs, 0xFFFAFAFA, 0,
        [
            new FilledRectangle(0, 0, 1920, 56, 0xFF263238),
            new FilledRectangle(0, 56, 300, 1024, 0xFF37474F),
        ]);
    }
}
