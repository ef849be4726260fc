using Spectre.Console;

namespace VisionAgent.Cli.Chat;

/// <summary>Where the chat's lines come from, one at a time; null is the end of input (Ctrl+D, end of a pipe).</summary>
public interface IChatLineSource
{
    Task<string?> ReadLineAsync(CancellationToken cancellationToken);
}

/// <summary>Lines from a reader (a pipe, a test, a terminal without ANSI), after a plain prompt.</summary>
public sealed class PlainChatLines(TextReader reader, IAnsiConsole console) : IChatLineSource
{
    public async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        console.Markup("[bold blue]you>[/] ");
        return await reader.ReadLineAsync(cancellationToken);
    }
}

/// <summary>
/// Lines from an interactive terminal through <see cref="TerminalLineEditor"/>, with the history kept across
/// sessions in a file and Tab completion of slash commands, handles and paths.
/// </summary>
public sealed class EditedChatLines(TerminalLineEditor editor, ChatHistoryFile history) : IChatLineSource
{
    public static EditedChatLines Create(TextWriter terminal, ChatHistoryFile history, ChatCompletion completion, Func<int> width, IKeySource? keys = null)
    {
        var editor = new TerminalLineEditor(keys ?? new ConsoleKeySource(), terminal, "you> ", completion.Complete, width);
        foreach (var entry in history.Load()) editor.History.Add(entry);
        return new EditedChatLines(editor, history);
    }

    public Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        // Reading keys blocks; the turn's own token still cancels the wait between keys.
        var line = editor.ReadLine(cancellationToken);
        if (!string.IsNullOrWhiteSpace(line)) history.Append(line);
        return Task.FromResult(line);
    }
}

/// <summary>The chat history across sessions: one entry a line in <c>$VISIONAGENT_HOME/chat_history</c>, the newest last.</summary>
public sealed class ChatHistoryFile(string path, Action<string>? warn = null, int keep = 1000)
{
    private bool _failed;

    public string Path => path;

    public IReadOnlyList<string> Load()
    {
        if (!File.Exists(path)) return [];
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToList();
        return lines.Count > keep ? lines[^keep..] : lines;
    }

    public void Append(string line)
    {
        var entry = line.ReplaceLineEndings(" ").Trim();
        if (entry.Length == 0 || _failed) return;
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
            File.AppendAllText(path, entry + "\n");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // History is a convenience: a read-only home costs one warning, never the chat.
            _failed = true;
            warn?.Invoke($"chat history is not kept ({ex.Message})");
        }
    }
}

/// <summary>Tab completion for the chat: slash commands at the start of a line, image handles, and file paths.</summary>
public sealed class ChatCompletion(Func<IEnumerable<string>> handles)
{
    private const int MaxSuggestions = 50;

    /// <summary>Candidates that replace <paramref name="word"/>, the word before the cursor; empty when none.</summary>
    public IReadOnlyList<string> Complete(string prefix, string word)
    {
        if (word.StartsWith('/') && string.IsNullOrWhiteSpace(prefix))
        {
            var commands = ChatInput.Commands.Select(c => "/" + c.Name).Where(c => c.StartsWith(word, StringComparison.OrdinalIgnoreCase)).ToList();
            if (commands.Count > 0) return commands;
        }
        if (word.StartsWith("img", StringComparison.OrdinalIgnoreCase))
        {
            var matches = handles().Where(h => h.StartsWith(word, StringComparison.OrdinalIgnoreCase)).ToList();
            if (matches.Count > 0) return matches;
        }
        return LooksLikePath(word) ? Paths(word) ?? [] : [];
    }

    private static bool LooksLikePath(string word) =>
        word.StartsWith('~') || word.StartsWith('.') || word.Contains('/', StringComparison.Ordinal) || word.Contains('\\', StringComparison.Ordinal);

    private static List<string>? Paths(string word)
    {
        var cut = Math.Max(word.LastIndexOf('/'), word.LastIndexOf('\\')) + 1;
        var typedFolder = word[..cut];
        var folder = typedFolder.Length == 0 ? "." : ImagePathFinder.ExpandHome(typedFolder);
        if (!Directory.Exists(folder)) return null;
        var start = word[cut..];
        try
        {
            return new DirectoryInfo(folder).EnumerateFileSystemInfos()
                .Where(e => e.Name.StartsWith(start, StringComparison.Ordinal) && (start.StartsWith('.') || !e.Name.StartsWith('.')))
                .OrderBy(e => e.Name, StringComparer.Ordinal)
                .Take(MaxSuggestions)
                .Select(e => typedFolder + e.Name + (e is DirectoryInfo ? "/" : ""))
                .ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
