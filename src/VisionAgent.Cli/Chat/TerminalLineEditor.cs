using System.Globalization;
using System.Text;

namespace VisionAgent.Cli.Chat;

/// <summary>Keys as a terminal delivers them; a test supplies its own.</summary>
public interface IKeySource
{
    /// <summary>The next key; throws <see cref="OperationCanceledException"/> when cancelled while waiting.</summary>
    ConsoleKeyInfo ReadKey(CancellationToken cancellationToken);
}

/// <summary>The process's terminal, polled so that a cancelled wait ends within a few milliseconds.</summary>
public sealed class ConsoleKeySource : IKeySource
{
    public ConsoleKeyInfo ReadKey(CancellationToken cancellationToken)
    {
        while (!Console.KeyAvailable)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Thread.Sleep(15);
        }
        return Console.ReadKey(intercept: true);
    }
}

/// <summary>
/// A one-line editor for an ANSI terminal: Left/Right (Ctrl for a word), Home/End (Ctrl+A/E), Backspace/Delete,
/// Ctrl+U/K/W to cut, Up/Down through the history, Tab to complete (a unique candidate is inserted, several are
/// listed and their common start inserted), Escape to clear, Enter to submit, Ctrl+D on an empty line for the end
/// of input. A line longer than the terminal scrolls sideways under the cursor.
/// </summary>
public sealed class TerminalLineEditor(
    IKeySource keys, TextWriter terminal, string prompt, Func<string, string, IReadOnlyList<string>>? complete, Func<int> width)
{
    private readonly StringBuilder _text = new();
    private int _cursor;
    private int _offset;

    /// <summary>Earlier lines, oldest first; submitted lines are added.</summary>
    public List<string> History { get; } = [];

    public string? ReadLine(CancellationToken cancellationToken)
    {
        _text.Clear();
        _cursor = 0;
        _offset = 0;
        var historyIndex = History.Count;
        var draft = "";
        Render();
        while (true)
        {
            ConsoleKeyInfo key;
            try
            {
                key = keys.ReadKey(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                terminal.WriteLine();
                return null;
            }
            var control = key.Modifiers.HasFlag(ConsoleModifiers.Control);
            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    terminal.WriteLine();
                    var line = _text.ToString();
                    if (line.Trim().Length > 0 && (History.Count == 0 || History[^1] != line)) History.Add(line);
                    return line;
                case ConsoleKey.D when control:
                    if (_text.Length == 0)
                    {
                        terminal.WriteLine();
                        return null;
                    }
                    DeleteAt(_cursor);
                    break;
                case ConsoleKey.Backspace:
                    if (_cursor > 0) DeleteAt(--_cursor);
                    break;
                case ConsoleKey.Delete:
                    DeleteAt(_cursor);
                    break;
                case ConsoleKey.LeftArrow:
                    _cursor = control ? PreviousWord() : Math.Max(0, _cursor - 1);
                    break;
                case ConsoleKey.RightArrow:
                    _cursor = control ? NextWord() : Math.Min(_text.Length, _cursor + 1);
                    break;
                case ConsoleKey.Home:
                case ConsoleKey.A when control:
                    _cursor = 0;
                    break;
                case ConsoleKey.End:
                case ConsoleKey.E when control:
                    _cursor = _text.Length;
                    break;
                case ConsoleKey.U when control:
                    _text.Remove(0, _cursor);
                    _cursor = 0;
                    break;
                case ConsoleKey.K when control:
                    _text.Remove(_cursor, _text.Length - _cursor);
                    break;
                case ConsoleKey.W when control:
                    var start = PreviousWord();
                    _text.Remove(start, _cursor - start);
                    _cursor = start;
                    break;
                case ConsoleKey.Escape:
                    Replace("");
                    break;
                case ConsoleKey.UpArrow:
                    if (historyIndex > 0)
                    {
                        if (historyIndex == History.Count) draft = _text.ToString();
                        Replace(History[--historyIndex]);
                    }
                    break;
                case ConsoleKey.DownArrow:
                    if (historyIndex < History.Count)
                    {
                        historyIndex++;
                        Replace(historyIndex == History.Count ? draft : History[historyIndex]);
                    }
                    break;
                case ConsoleKey.Tab:
                    Complete();
                    break;
                default:
                    if (key.KeyChar != '\0' && !char.IsControl(key.KeyChar))
                    {
                        _text.Insert(_cursor, key.KeyChar);
                        _cursor++;
                    }
                    break;
            }
            Render();
        }
    }

    private void DeleteAt(int index)
    {
        if (index >= 0 && index < _text.Length) _text.Remove(index, 1);
    }

    private void Replace(string text)
    {
        _text.Clear().Append(text);
        _cursor = text.Length;
    }

    private int PreviousWord()
    {
        var i = _cursor;
        while (i > 0 && char.IsWhiteSpace(_text[i - 1])) i--;
        while (i > 0 && !char.IsWhiteSpace(_text[i - 1])) i--;
        return i;
    }

    private int NextWord()
    {
        var i = _cursor;
        while (i < _text.Length && char.IsWhiteSpace(_text[i])) i++;
        while (i < _text.Length && !char.IsWhiteSpace(_text[i])) i++;
        return i;
    }

    private void Complete()
    {
        if (complete is null) return;
        var text = _text.ToString();
        var start = _cursor;
        while (start > 0 && !char.IsWhiteSpace(text[start - 1])) start--;
        var word = text[start.._cursor];
        var candidates = complete(text[..start], word);
        if (candidates.Count == 0) return;
        var common = candidates.Aggregate((a, b) => a[..CommonLength(a, b)]);
        if (candidates.Count > 1 && common.Length <= word.Length)
        {
            // Nothing more to insert: show the choices under the line, then draw the line again.
            terminal.Write("\r\u001b[2K");
            terminal.WriteLine(string.Join("  ", candidates.Take(20)) + (candidates.Count > 20 ? "  ..." : ""));
            return;
        }
        var insert = candidates.Count == 1 && !common.EndsWith('/') ? common + " " : common;
        _text.Remove(start, _cursor - start).Insert(start, insert);
        _cursor = start + insert.Length;
    }

    private static int CommonLength(string a, string b)
    {
        var n = Math.Min(a.Length, b.Length);
        var i = 0;
        while (i < n && char.ToLowerInvariant(a[i]) == char.ToLowerInvariant(b[i])) i++;
        return i;
    }

    private void Render()
    {
        var room = Math.Max(8, width() - prompt.Length - 1);
        if (_cursor < _offset) _offset = _cursor;
        if (_cursor - _offset > room) _offset = _cursor - room;
        var visible = _text.ToString(_offset, Math.Min(room, _text.Length - _offset));
        var column = prompt.Length + _cursor - _offset;
        terminal.Write($"\r\u001b[2K\u001b[1;34m{prompt}\u001b[0m{visible}\r");
        if (column > 0) terminal.Write(string.Create(CultureInfo.InvariantCulture, $"\u001b[{column}C"));
        terminal.Flush();
    }
}
