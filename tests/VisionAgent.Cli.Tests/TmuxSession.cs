using System.Diagnostics;

namespace VisionAgent.Cli.Tests;

/// <summary>
/// A tmux server of its own (a private socket) that runs a command in a pseudo-terminal: keys are typed with
/// send-keys and the screen is read back with capture-pane (<c>.ci/run</c> installs tmux).
/// </summary>
public sealed class TmuxSession : IDisposable
{
    private readonly string _socket = "visionagent-test-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>Starts <paramref name="command"/> (a shell command line) in a detached session of the given size.</summary>
    public void Start(string command, int width, int height, string workingDirectory) =>
        Run("new-session", "-d", "-x", width.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-y", height.ToString(System.Globalization.CultureInfo.InvariantCulture), "-c", workingDirectory, command);

    /// <summary>Types keys: text, or tmux key names such as Enter, Tab, Left and C-u.</summary>
    public void SendKeys(params string[] keys) => Run(["send-keys", .. keys]);

    /// <summary>The screen (and the 200 lines above it) once <paramref name="ready"/> holds; a timeout shows the last screen.</summary>
    public async Task<string> WaitForScreenAsync(Func<string, bool> ready, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        var screen = "";
        while (clock.Elapsed < limit)
        {
            screen = Run("capture-pane", "-p", "-J", "-S", "-200");
            if (ready(screen)) return screen;
            await Task.Delay(200);
        }
        throw new TimeoutException($"the screen did not show what was expected within {limit.TotalSeconds:0} s:\n{screen}");
    }

    public void Dispose() => Run("kill-server");

    private string Run(params string[] args)
    {
        var info = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-L");
        info.ArgumentList.Add(_socket);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        foreach (var name in new[] { "NO_COLOR", "VISIONAGENT_PREVIEW", "VISIONAGENT_LLM_ENDPOINT", "VISIONAGENT_LLM_PROVIDER", "VISIONAGENT_CONFIG", "TMUX" })
            info.Environment.Remove(name);
        info.Environment["TERM"] = "xterm-256color";
        using var process = Process.Start(info) ?? throw new InvalidOperationException("tmux did not start");
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output;
    }
}
