using System.Text.Json;
using VisionAgent.Cli.Sessions;

namespace VisionAgent.Cli.Tests.Chat;

public sealed class CliProcessTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("cli-home-").FullName;

    [Fact]
    public async Task First_run_ask_answers_offline_through_image_info_and_names_the_planner_first()
    {
        using var cli = CliProcess.Start(_home, "ask", "--image", "samples/images/chelsea.png", "how big is this image?");

        var stdout = await cli.Process.StandardOutput.ReadToEndAsync();
        await cli.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(0, cli.Process.ExitCode);
        var lines = stdout.Split('\n');
        Assert.StartsWith("Planner: offline planner, not an LLM", lines[0]);
        Assert.Contains("Action: image_info {\"image\":\"img1\"}", stdout);
        Assert.Contains("img1: PNG 451x300", lines[^2]);
        var session = Assert.Single(SessionCatalog.List(Path.Combine(_home, "sessions")));
        Assert.Equal(("ask", 1, "how big is this image?"), (session.Command, session.Turns, session.FirstQuestion));
    }

    [Fact]
    public async Task The_session_log_survives_a_killed_chat_process()
    {
        using var cli = CliProcess.Start(_home, "chat");
        await cli.Process.StandardInput.WriteLineAsync("/image samples/images/chelsea.png");
        await cli.Process.StandardInput.WriteLineAsync("how big is this image?");
        await cli.Process.StandardInput.FlushAsync();

        var log = await WaitForLogAsync(path => File.ReadAllText(path).Contains("\"event\":\"answer\"", StringComparison.Ordinal), TimeSpan.FromMinutes(2));
        cli.Process.Kill(entireProcessTree: true);
        await cli.Process.WaitForExitAsync();

        var events = File.ReadAllLines(log).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(
            ["session_start", "image", "turn_start", "llm_request", "thought", "action", "observation", "llm_request", "thought", "answer"],
            events.Select(e => e.GetProperty("event").GetString()));
        Assert.Contains("451x300", events.Single(e => e.GetProperty("event").GetString() == "observation").GetProperty("observation").GetString());
        var listed = Assert.Single(SessionCatalog.List(Path.Combine(_home, "sessions")));
        Assert.Equal(("chat", 1), (listed.Command, listed.Turns));
    }

    private async Task<string> WaitForLogAsync(Func<string, bool> ready, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var log = Directory.Exists(Path.Combine(_home, "sessions"))
                ? Directory.EnumerateFiles(Path.Combine(_home, "sessions"), SessionLog.FileName, SearchOption.AllDirectories).FirstOrDefault()
                : null;
            if (log is not null && ready(log)) return log;
            await Task.Delay(100);
        }
        throw new TimeoutException("the chat process wrote no answer to its session log in time");
    }

    public void Dispose() => Directory.Delete(_home, recursive: true);
}
