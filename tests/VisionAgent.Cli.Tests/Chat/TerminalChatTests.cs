using System.Diagnostics;
using VisionAgent.Testing;
using VisionAgent.Testing.Llm;

namespace VisionAgent.Cli.Tests.Chat;

/// <summary>
/// The chat in a real terminal: tmux runs the built CLI in a pseudo-terminal, keys are typed with send-keys and the
/// screen is read back with capture-pane (<c>.ci/run</c> installs tmux).
/// </summary>
public sealed class TerminalChatTests : IDisposable
{
    private readonly string _socket = "visionagent-test-" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _home = Directory.CreateTempSubdirectory("terminal-home-").FullName;

    public void Dispose()
    {
        Tmux("kill-server");
        Directory.Delete(_home, recursive: true);
    }

    [Fact]
    public async Task Keys_edit_the_line_a_failed_command_costs_one_line_and_a_cut_out_is_drawn_under_its_observation()
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "visionagent.dll");
        var command = $"VISIONAGENT_HOME='{_home}' dotnet '{cli}' chat --image samples/images/chelsea.png";
        Tmux("new-session", "-d", "-x", "110", "-y", "60", "-c", RepositoryPaths.Root, command);
        await WaitForScreenAsync(s => s.Contains("you>", StringComparison.Ordinal), TimeSpan.FromSeconds(90));

        Tmux("send-keys", "Frnce", "Left", "Left", "Left", "a");
        var edited = await WaitForScreenAsync(s => s.Contains("you> France", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        Tmux("send-keys", "End", "C-u", "/save /proc/none/session.json", "Enter");
        await WaitForScreenAsync(s => s.Contains("cannot write", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        Tmux("send-keys", "cut out the cat", "Enter");
        var screen = await WaitForScreenAsync(s => s.Contains("Answer", StringComparison.Ordinal), TimeSpan.FromSeconds(180));
        Tmux("send-keys", "Up", "Up");
        var recalled = await WaitForScreenAsync(s => s.TrimEnd().EndsWith("you> /save /proc/none/session.json", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        Tmux("send-keys", "C-u", "/exit", "Enter");

        Assert.Contains("you> France", edited);
        Assert.Contains("Observation:", screen);
        // The produced images (mask, cut-out, overlay) are drawn with half blocks right under the observation.
        var afterObservation = screen[screen.IndexOf("Observation:", StringComparison.Ordinal)..];
        Assert.True(afterObservation.Count(c => c == '▀') > 200, afterObservation);
        Assert.Contains("/save /proc/none/session.json", recalled);
        Assert.Contains("cut out the cat", await File.ReadAllTextAsync(Path.Combine(_home, "chat_history")));
    }

    [Fact]
    public async Task Ask_shows_the_thought_while_the_reply_is_still_arriving()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reply = ScriptedResponse.Stream(["Thought: the picture", " shows a", " small cat", "\nFinal Answer: a small cat"]) with { Gate = gate.Task, GateBeforeEvent = 2 };
        using var server = new ScriptedChatServer([reply]);
        var cli = Path.Combine(AppContext.BaseDirectory, "visionagent.dll");
        var command = $"VISIONAGENT_HOME='{_home}' dotnet '{cli}' ask --llm-endpoint {server.Endpoint} --llm-model scripted \"what is it?\"; sleep 60";
        Tmux("new-session", "-d", "-x", "110", "-y", "30", "-c", RepositoryPaths.Root, command);

        var arriving = await WaitForScreenAsync(s => s.Contains("Thought: the picture shows a", StringComparison.Ordinal), TimeSpan.FromSeconds(90));
        gate.SetResult();
        var done = await WaitForScreenAsync(s => s.Contains("a small cat", StringComparison.Ordinal) && s.Contains("Answer", StringComparison.Ordinal), TimeSpan.FromSeconds(30));

        Assert.DoesNotContain("Answer", arriving, StringComparison.Ordinal);
        Assert.DoesNotContain("small cat", arriving, StringComparison.Ordinal);
        Assert.Contains("Thought: the picture shows a small cat\n", done, StringComparison.Ordinal);
        Assert.Single(server.Requests);
    }

    private async Task<string> WaitForScreenAsync(Func<string, bool> ready, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        var screen = "";
        while (clock.Elapsed < limit)
        {
            screen = Tmux("capture-pane", "-p", "-J", "-S", "-200");
            if (ready(screen)) return screen;
            await Task.Delay(200);
        }
        throw new TimeoutException($"the screen did not show what was expected within {limit.TotalSeconds:0} s:\n{screen}");
    }

    private string Tmux(params string[] args)
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
