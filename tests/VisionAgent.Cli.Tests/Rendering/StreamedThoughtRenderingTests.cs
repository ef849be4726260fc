using System.Diagnostics;
using Spectre.Console.Testing;
using VisionAgent.Cli.Chat;
using VisionAgent.Cli.Rendering;
using VisionAgent.Core.Agent;
using VisionAgent.Core.Configuration;
using VisionAgent.ExternalExperts;
using VisionAgent.Hosting;
using VisionAgent.Testing.Llm;

namespace VisionAgent.Cli.Tests.Rendering;

/// <summary>The thought of a streamed reply on an interactive console, under the live status line.</summary>
public sealed class StreamedThoughtRenderingTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("streamed-home-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    [Fact]
    public async Task The_thought_shows_before_the_reply_ends_and_the_status_line_never_clears_it()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reply = ScriptedResponse.Stream(["Thought: the picture", " shows a cat", "\nFinal Answer: a cat"]) with { Gate = gate.Task, GateBeforeEvent = 2 };
        using var server = new ScriptedChatServer([reply]);
        await using var host = await CreateHostAsync(server);
        var console = new TestConsole().Interactive().EmitAnsiSequences();
        var (chat, identity) = host.CreateConfiguredLlm()!.Value;
        var options = ReplyStreaming.Apply(host.CreateAgentOptions(), noStream: false, host.Config, console, chat);
        var session = host.CreateSession(chat, identity, agentOptions: options);
        var renderer = new TraceRenderer(console, host.Marker);

        AgentRunResult result;
        string beforeTheEnd;
        using (var spinner = new TerminalSpinner(console, renderer, renderer))
        {
            var run = session.AskAsync("what is it?", spinner, CancellationToken.None);
            beforeTheEnd = await WaitForAsync(() => console.Output, o => o.Contains("shows a cat", StringComparison.Ordinal));
            // Let the status line turn a few times while the thought line is open.
            await Task.Delay(350);
            var whileOpen = console.Output;
            gate.SetResult();
            result = await run;
            Assert.False(run.IsFaulted);
            Assert.DoesNotContain("Answer", beforeTheEnd, StringComparison.Ordinal);
            Assert.DoesNotContain("\u001b[2K", whileOpen[whileOpen.IndexOf("Thought: ", StringComparison.Ordinal)..], StringComparison.Ordinal);
        }

        Assert.True(options.Stream);
        Assert.Equal("a cat", result.Answer);
        var output = console.Output;
        var thoughtLine = output[output.IndexOf("Thought: ", StringComparison.Ordinal)..];
        thoughtLine = thoughtLine[..thoughtLine.IndexOf('\n', StringComparison.Ordinal)];
        Assert.Equal("Thought: the picture shows a cat", Plain(thoughtLine));
        // Shown once, as it arrived, not again when the reply was complete.
        Assert.Equal(1, CountOf(Plain(output), "the picture shows a cat"));
    }

    [Fact]
    public async Task No_stream_and_a_console_that_is_not_interactive_take_whole_replies()
    {
        using var server = new ScriptedChatServer();
        await using var host = await CreateHostAsync(server);
        var (chat, _) = host.CreateConfiguredLlm()!.Value;
        var terminal = new TestConsole().Interactive().EmitAnsiSequences();

        Assert.True(ReplyStreaming.Apply(host.CreateAgentOptions(), noStream: false, host.Config, terminal, chat).Stream);
        Assert.False(ReplyStreaming.Apply(host.CreateAgentOptions(), noStream: true, host.Config, terminal, chat).Stream);
        Assert.False(ReplyStreaming.Apply(host.CreateAgentOptions(), noStream: false, host.Config, new TestConsole(), chat).Stream);
        Assert.False(ReplyStreaming.Apply(host.CreateAgentOptions(), noStream: false, host.Config, terminal, new ScriptedChatService()).Stream);
        host.Config.Llm.Stream = false;
        Assert.False(ReplyStreaming.Apply(host.CreateAgentOptions(), noStream: false, host.Config, terminal, chat).Stream);
    }

    [Fact]
    public void A_restarted_reply_ends_the_open_line_and_says_so()
    {
        var console = new TestConsole();
        console.Profile.Width = 200;
        var renderer = new TraceRenderer(console, new UntrustedTextMarker());

        renderer.OnEvent(new ThoughtDeltaEvent("I need"));
        renderer.OnEvent(new ReplyRestartedEvent("the LLM endpoint's answer was cut off (the stream ended before the model finished its reply)"));
        renderer.OnEvent(new ThoughtDeltaEvent("I need the size\u001b[2J."));
        renderer.OnEvent(new ThoughtEvent("I need the size."));

        Assert.Equal(
            "Thought: I need\nthe LLM endpoint's answer was cut off (the stream ended before the model finished its reply); asking again\nThought: I need the size[2J.\n",
            console.Output.Replace("\r", "", StringComparison.Ordinal));
    }

    private async Task<AgentHost> CreateHostAsync(ScriptedChatServer server)
    {
        var config = new VisionAgentConfig();
        config.Llm.Endpoint = server.Endpoint;
        config.Llm.Model = "scripted";
        config.Llm.MaxRetries = 0;
        return await AgentHost.CreateAsync(new AgentHostOptions { Config = config, Home = _home, External = ExternalExpertSources.None, ExpertAssemblies = [] }, CancellationToken.None);
    }

    private static async Task<string> WaitForAsync(Func<string> read, Func<string, bool> ready)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            var text = read();
            if (ready(text)) return text;
            await Task.Delay(20);
        }
        throw new TimeoutException($"the console did not show it in time:\n{read()}");
    }

    private static string Plain(string text) => System.Text.RegularExpressions.Regex.Replace(text, "\u001b\\[[0-9;?]*[A-Za-z]", "");

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;
}
