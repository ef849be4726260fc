namespace VisionAgent.Cli.Rendering;

/// <summary>Words of a command line the user can paste into their shell: POSIX shells on Linux and macOS, PowerShell on Windows.</summary>
public static class ShellWords
{
    /// <summary>The word unchanged when the shell reads it as is, else quoted so that spaces, quotes and <c>$</c> survive.</summary>
    public static string Quote(string word)
    {
        if (word.Length > 0 && word.All(IsPlain)) return word;
        return OperatingSystem.IsWindows()
            ? "'" + word.Replace("'", "''", StringComparison.Ordinal) + "'"
            : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    /// <summary>The command that sets an environment variable for the commands that follow.</summary>
    public static string SetEnvironment(string variable, string value) =>
        OperatingSystem.IsWindows() ? $"$env:{variable} = {Quote(value)}" : $"export {variable}={Quote(value)}";

    private static bool IsPlain(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or ':' or '@' or '%' or '+' or ',' or '=' || (c == '\\' && OperatingSystem.IsWindows());
}
