using VisionAgent.Cli.Chat;

namespace VisionAgent.Cli.Tests.Chat;

public sealed class TerminalLineEditorTests
{
    private sealed class ScriptedKeys(IEnumerable<ConsoleKeyInfo> keys) : IKeySource
    {
        private readonly Queue<ConsoleKeyInfo> _keys = new(keys);

        public ConsoleKeyInfo ReadKey(CancellationToken cancellationToken) =>
            _keys.TryDequeue(out var key) ? key : throw new OperationCanceledException("no more keys");
    }

    private static ConsoleKeyInfo Key(ConsoleKey key, bool control = false) => new('\0', key, false, false, control);

    private static IEnumerable<ConsoleKeyInfo> Type(string text) =>
        text.Select(c => new ConsoleKeyInfo(c, char.IsAsciiLetter(c) ? Enum.Parse<ConsoleKey>(char.ToUpperInvariant(c).ToString()) : ConsoleKey.Oem1, char.IsUpper(c), false, false));

    private static (TerminalLineEditor Editor, StringWriter Screen) Editor(IEnumerable<ConsoleKeyInfo> keys, Func<string, string, IReadOnlyList<string>>? complete = null)
    {
        var screen = new StringWriter();
        return (new TerminalLineEditor(new ScriptedKeys(keys), screen, "you> ", complete, () => 80), screen);
    }

    [Fact]
    public void Left_moves_the_cursor_so_a_missing_letter_goes_where_it_belongs()
    {
        var (editor, _) = Editor([.. Type("Frnce"), Key(ConsoleKey.LeftArrow), Key(ConsoleKey.LeftArrow), Key(ConsoleKey.LeftArrow), .. Type("a"), Key(ConsoleKey.Enter)]);

        Assert.Equal("France", editor.ReadLine(CancellationToken.None));
    }

    [Fact]
    public void Home_end_word_moves_and_cuts_edit_the_line()
    {
        var (editor, _) = Editor([
            .. Type("cut out cat"), Key(ConsoleKey.LeftArrow, control: true), .. Type("the "),
            Key(ConsoleKey.Home), Key(ConsoleKey.Delete), .. Type("C"), Key(ConsoleKey.End), Key(ConsoleKey.Backspace), .. Type("t"),
            Key(ConsoleKey.Enter)]);

        Assert.Equal("Cut out the cat", editor.ReadLine(CancellationToken.None));
    }

    [Fact]
    public void Up_and_down_walk_the_history_and_come_back_to_the_draft()
    {
        var (editor, _) = Editor([
            Key(ConsoleKey.UpArrow), Key(ConsoleKey.Enter),
            .. Type("dra"), Key(ConsoleKey.UpArrow), Key(ConsoleKey.UpArrow), Key(ConsoleKey.DownArrow), Key(ConsoleKey.DownArrow), .. Type("ft"), Key(ConsoleKey.Enter)]);
        editor.History.AddRange(["how big is it?", "what does it say?"]);

        Assert.Equal("what does it say?", editor.ReadLine(CancellationToken.None));
        Assert.Equal("draft", editor.ReadLine(CancellationToken.None));
        Assert.Equal("draft", editor.History[^1]);
    }

    [Fact]
    public void Tab_inserts_a_unique_completion_and_lists_several()
    {
        var completion = new ChatCompletion(() => ["img1", "img2", "img1#det1"]);
        var (editor, screen) = Editor([.. Type("/sa"), Key(ConsoleKey.Tab), Key(ConsoleKey.Enter), .. Type("crop img"), Key(ConsoleKey.Tab), Key(ConsoleKey.Enter)], completion.Complete);

        Assert.Equal("/save ", editor.ReadLine(CancellationToken.None));
        Assert.Equal("crop img", editor.ReadLine(CancellationToken.None));
        Assert.Contains("img1  img2  img1#det1", screen.ToString());
    }

    [Fact]
    public void Paths_complete_from_the_folder_typed_so_far()
    {
        var folder = Directory.CreateTempSubdirectory("complete-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "photo-cat.png"), "");
            Directory.CreateDirectory(Path.Combine(folder, "pictures"));
            var completion = new ChatCompletion(() => []);

            Assert.Equal([folder + "/photo-cat.png"], completion.Complete("/image ", folder + "/ph"));
            Assert.Equal([folder + "/pictures/"], completion.Complete("/image ", folder + "/pi"));
            Assert.Empty(completion.Complete("", "hello"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Ctrl_d_ends_input_on_an_empty_line_and_deletes_otherwise()
    {
        var (editor, _) = Editor([.. Type("ab"), Key(ConsoleKey.Home), Key(ConsoleKey.D, control: true), Key(ConsoleKey.Enter), Key(ConsoleKey.D, control: true)]);

        Assert.Equal("b", editor.ReadLine(CancellationToken.None));
        Assert.Null(editor.ReadLine(CancellationToken.None));
    }

    [Fact]
    public void A_long_line_scrolls_so_the_cursor_stays_on_screen()
    {
        var screen = new StringWriter();
        var editor = new TerminalLineEditor(new ScriptedKeys([.. Type(new string('x', 30) + "END"), Key(ConsoleKey.Enter)]), screen, "you> ", null, () => 20);

        Assert.Equal(new string('x', 30) + "END", editor.ReadLine(CancellationToken.None));
        var lastDraw = screen.ToString().Split("\r\u001b[2K")[^1];
        Assert.Contains("END", lastDraw);
        Assert.DoesNotContain(new string('x', 20), lastDraw);
    }

    [Fact]
    public void The_history_file_keeps_lines_across_sessions()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("history-").FullName, "chat_history");
        var first = new ChatHistoryFile(path);
        first.Append("how big is it?");
        first.Append("   ");
        first.Append("what\ndoes it say?");

        Assert.Equal(["how big is it?", "what does it say?"], new ChatHistoryFile(path).Load());
    }
}
