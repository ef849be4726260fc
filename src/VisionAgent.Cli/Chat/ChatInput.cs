namespace VisionAgent.Cli.Chat;

/// <summary>A line the user typed: a slash command with its argument, or a message for the agent.</summary>
public sealed record ChatInput(string? Command, string Argument, string Text)
{
    public static readonly IReadOnlyList<(string Name, string Usage, string Help)> Commands =
    [
        ("image", "/image PATH", "attach an image; the reply names its handle"),
        ("images", "/images", "list the images and where each came from"),
        ("tools", "/tools", "list the experts' tools"),
        ("trace", "/trace", "show the last turn's thoughts, actions and observations"),
        ("save", "/save PATH", "save the session as JSON"),
        ("reset", "/reset", "forget the conversation and the images"),
        ("help", "/help", "this list"),
        ("exit", "/exit", "end the session (Ctrl+D does too)"),
    ];

    public bool IsCommand => Command is not null;

    /// <summary>
    /// Parses one line. A line starting with '/' is a command when its first word is one (or unknown and not a
    /// path); "/home/me/cat.png what is this?" stays a message, because <paramref name="looksLikePath"/> says so.
    /// </summary>
    public static ChatInput Parse(string line, Func<string, bool>? looksLikePath = null)
    {
        var text = line.Trim();
        if (!text.StartsWith('/')) return new ChatInput(null, "", text);
        var space = text.IndexOfAny([' ', '\t']);
        var word = (space < 0 ? text[1..] : text[1..space]).ToLowerInvariant();
        var argument = space < 0 ? "" : text[(space + 1)..].Trim();
        if (word == "quit") word = "exit";
        if (word == "?") word = "help";
        if (Commands.Any(c => c.Name == word)) return new ChatInput(word, Unquote(argument), text);
        if (looksLikePath?.Invoke(text) == true) return new ChatInput(null, "", text);
        return new ChatInput(word.Length == 0 ? "help" : "unknown:" + word, argument, text);
    }

    private static string Unquote(string text) =>
        text.Length >= 2 && (text[0] == '"' && text[^1] == '"' || text[0] == '\'' && text[^1] == '\'') ? text[1..^1] : text;
}
