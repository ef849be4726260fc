using Spectre.Console;
using Spectre.Console.Testing;
using VisionAgent.Cli.Rendering.Previews;
using VisionAgent.Imaging;
using VisionAgent.Imaging.Preview;
using VisionAgent.Testing;

namespace VisionAgent.Cli.Tests.Rendering;

public sealed class TerminalPreviewTests
{
    private const string Esc = "\u001b";

    // Red, green / blue, transparent: a 2x2 image that exercises colour and alpha.
    private static PreviewImage Tiny() => PreviewImage.FromRgba(2, 2,
    [
        255, 0, 0, 255, 0, 255, 0, 255,
        0, 0, 255, 255, 0, 0, 0, 0,
    ]);

    private static Func<string, string?> Env(params (string Name, string Value)[] values) =>
        name => values.FirstOrDefault(v => v.Name == name).Value;

    [Theory]
    [InlineData("KITTY_WINDOW_ID", "1", PreviewProtocol.Kitty)]
    [InlineData("TERM_PROGRAM", "ghostty", PreviewProtocol.Kitty)]
    [InlineData("TERM_PROGRAM", "iTerm.app", PreviewProtocol.ITerm2)]
    [InlineData("TERM_PROGRAM", "WezTerm", PreviewProtocol.ITerm2)]
    [InlineData("LC_TERMINAL", "iTerm2", PreviewProtocol.ITerm2)]
    [InlineData("VISIONAGENT_PREVIEW", "sixel", PreviewProtocol.Sixel)]
    [InlineData("COLORTERM", "truecolor", PreviewProtocol.HalfBlocks)]
    public void The_protocol_follows_what_the_terminal_announces(string variable, string value, PreviewProtocol expected)
    {
        Assert.Equal(expected, PreviewProtocols.Detect(Env(("TERM", "xterm-256color"), (variable, value)), isTerminal: true, disabled: false));
    }

    [Fact]
    public void Sixel_terminals_by_name_and_previews_off_where_they_cannot_or_should_not_be_drawn()
    {
        Assert.Equal(PreviewProtocol.Sixel, PreviewProtocols.Detect(Env(("TERM", "foot")), true, false));
        Assert.Equal(PreviewProtocol.Off, PreviewProtocols.Detect(Env(("TERM", "xterm-kitty")), isTerminal: false, disabled: false));
        Assert.Equal(PreviewProtocol.Off, PreviewProtocols.Detect(Env(("TERM", "xterm-kitty")), isTerminal: true, disabled: true));
        Assert.Equal(PreviewProtocol.Off, PreviewProtocols.Detect(Env(("TERM", "xterm-kitty"), ("NO_COLOR", "1")), true, false));
        Assert.Equal(PreviewProtocol.Off, PreviewProtocols.Detect(Env(("TERM", "dumb")), true, false));
        Assert.Equal(PreviewProtocol.Off, PreviewProtocols.Detect(Env(("TERM", "xterm"), ("VISIONAGENT_PREVIEW", "off")), true, false));
    }

    [Fact]
    public void Half_blocks_put_the_top_pixel_in_the_foreground_and_the_bottom_one_in_the_background()
    {
        var text = PreviewEncoders.HalfBlocks(Tiny());

        // Column 1: red over blue; column 2: green over the transparent pixel, shown as the background grey.
        Assert.Equal($"{Esc}[38;2;255;0;0m{Esc}[48;2;0;0;255m▀{Esc}[38;2;0;255;0m{Esc}[48;2;40;40;40m▀{Esc}[0m\n", text);
    }

    [Fact]
    public void Kitty_sends_the_png_in_chunks_of_4096_with_the_cell_size()
    {
        var small = PreviewEncoders.Kitty([1, 2, 3], 5, 3);
        var large = PreviewEncoders.Kitty(new byte[6000], 10, 4);

        Assert.Equal($"{Esc}_Ga=T,f=100,t=d,q=2,c=5,r=3,m=0;AQID{Esc}\\\n", small);
        var chunks = large.Split($"{Esc}\\", StringSplitOptions.RemoveEmptyEntries).Where(c => c.StartsWith(Esc, StringComparison.Ordinal)).ToList();
        Assert.Equal(2, chunks.Count);
        Assert.StartsWith($"{Esc}_Ga=T,f=100,t=d,q=2,c=10,r=4,m=1;", chunks[0]);
        Assert.StartsWith($"{Esc}_Gm=0;", chunks[1]);
        var payload = string.Concat(chunks.Select(c => c[(c.IndexOf(';', StringComparison.Ordinal) + 1)..]));
        Assert.Equal(new byte[6000], Convert.FromBase64String(payload));
    }

    [Fact]
    public void ITerm2_sends_one_inline_file_escape_with_size_and_cells()
    {
        var text = PreviewEncoders.ITerm2([1, 2, 3], 6, 2);

        Assert.Equal($"{Esc}]1337;File=inline=1;size=3;width=6;height=2;preserveAspectRatio=1:AQID\u0007\n", text);
    }

    [Fact]
    public void Sixel_declares_the_raster_and_only_the_colours_used_and_draws_each_in_the_band()
    {
        var text = PreviewEncoders.Sixel(Tiny());

        Assert.StartsWith($"{Esc}Pq\"1;1;2;2", text);
        Assert.EndsWith($"{Esc}\\\n", text);
        // Red is cube index 5*36 = 180, green 5*6 = 30, blue 5, the grey background 1*36+1*6+1 = 43.
        foreach (var entry in new[] { "#180;2;100;0;0", "#30;2;0;100;0", "#5;2;0;0;100", "#43;2;20;20;20" }) Assert.Contains(entry, text);
        Assert.Equal(4, System.Text.RegularExpressions.Regex.Count(text, @"#\d+;2;"));
        // Red occupies the top row of column 1 (bit 0: '@'), then nothing in column 2 ('?').
        Assert.Contains("#180@?", text);
        Assert.Contains("#5A?", text);
    }

    [Fact]
    public void A_real_image_is_shrunk_to_the_terminal_and_rendered_for_each_protocol()
    {
        var store = new ImageHandleStore(Directory.CreateTempSubdirectory("preview-").FullName, new ImageLoader());
        var path = RepositoryPaths.SampleImage("chelsea.png");
        var writer = new StringWriter();

        var blocks = new TerminalPreview(writer, PreviewProtocol.HalfBlocks, new ImageLoader(), store, 30).Render(path);
        var kitty = new TerminalPreview(writer, PreviewProtocol.Kitty, new ImageLoader(), store, 30).Render(path);

        var rows = blocks.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(28, rows[0].Count(c => c == '▀'));
        Assert.Equal((int)Math.Ceiling(28 * 300 / 451.0 / 2), rows.Length);
        Assert.Contains("c=28,r=", kitty);
    }

    [Fact]
    public void Not_a_terminal_means_no_preview()
    {
        var console = new TestConsole();

        Assert.Null(TerminalPreview.Create(console, disabled: false, new ImageLoader(), new ImageHandleStore(Path.GetTempPath(), new ImageLoader())));
    }
}
