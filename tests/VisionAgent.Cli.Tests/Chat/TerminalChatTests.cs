using VisionAgent.Testing;
using VisionAgent.Testing.Llm;

namespace VisionAgent.Cli.Tests.Chat;

/// <summary>The chat in a real terminal (<see cref="TmuxSession"/>).</summary>
public sealed class TerminalChatTests : IDisposable
{
    private readonly TmuxSession _tmux = new();
    private readonly string _home = Directory.CreateTempSubdirectory("terminal-home-").FullName;

    public void Dispose()
    {
        _tmux.Dispose();
        Directory.Delete(_home, recursive: true);
    }

    [Fact]
    public async Task Keys_edit_the_line_a_failed_command_costs_one_line_and_a_cut_out_is_drawn_under_its_observation()
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "visionagent.dll");
        var command = $"VISIONAGENT_HOME='{_home}' dotnet '{cli}' chat --image samples/images/chelsea.png";
        _tmux.Start(command, 110, 60, RepositoryPaths.Root);
        await _tmux.WaitForScreenAsync(s => s.Contains("you>", StringComparison.Ordinal), TimeSpan.FromSeconds(90));

        _tmux.SendKeys("Frnce", "Left", "Left", "Left", "a");
        var edited = await _tmux.WaitForScreenAsync(s => s.Contains("you> France", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        _tmux.SendKeys("End", "C-u", "/save /proc/none/session.json", "Enter");
        await _tmux.WaitForScreenAsync(s => s.Contains("cannot write", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        _tmux.SendKeys("cut out the cat", "Enter");
        var screen = await _tmux.WaitForScreenAsync(s => s.Contains("Answer", StringComparison.Ordinal), TimeSpan.FromSeconds(180));
        _tmux.SendKeys("Up", "Up");
        var recalled = await _tmux.WaitForScreenAsync(s => s.TrimEnd().EndsWith("you> /save /proc/none/session.json", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        _tmux.SendKeys("C-u", "/exit", "Enter");

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
        _tmux.Start(command, 110, 30, RepositoryPaths.Root);

        var arriving = await _tmux.WaitForScreenAsync(s => s.Contains("Thought: the picture shows a", StringComparison.Ordinal), TimeSpan.FromSeconds(90));
        gate.SetResult();
        var done = await _tmux.WaitForScreenAsync(s => s.Contains("a small cat", StringComparison.Ordinal) && s.Contains("Answer", StringComparison.Ordinal), TimeSpan.FromSeconds(30));

        Assert.DoesNotContain("Answer", arriving, StringComparison.Ordinal);
        Assert.DoesNotContain("small cat", arriving, StringComparison.Ordinal);
        Assert.Contains("Thought: the picture shows a small cat\n", done, StringComparison.Ordinal);
        Assert.Single(server.Requests);
    }
}
