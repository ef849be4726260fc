using System.Text.Json;
using VisionAgent.Cli.Chat;
using VisionAgent.Cli.Rendering;
using VisionAgent.Cli.Sessions;
using VisionAgent.Core.Configuration;
using VisionAgent.ExternalExperts;
using VisionAgent.Hosting;
using VisionAgent.Core.Llm.Offline;
using VisionAgent.Testing;

namespace VisionAgent.Cli.Tests.Chat;

public sealed class ChatLoopTests : IDisposable
{
    private static readonly Lazy<ITextEmbedder> SharedEmbedder = new(() =>
        MiniLmEmbedder.Load(new VisionAgent.Onnx.OnnxSessionPool(), Path.Combine(Path.GetTempPath(), "visionagent-tests-models")));

    private readonly string _home = Directory.CreateTempSubdirectory("chat-home-").FullName;
    private readonly AgentHost _host;
    private readonly StringWriter _output = new();
    private readonly SessionLog _log;
    private readonly ChatLoop _loop;
    private readonly Core.Agent.AgentSession _session;

    public ChatLoopTests()
    {
        _host = AgentHost.CreateAsync(new AgentHostOptions { Config = new VisionAgentConfig(), Home = _home, External = ExternalExpertSources.None }, CancellationToken.None).GetAwaiter().GetResult();
        var planner = new OfflinePlanner(_host.Registry, SharedEmbedder.Value, _host.Marker);
        _session = _host.CreateSession(planner, planner.Identity);
        _log = new SessionLog(DataFolders.Sessions(_home), _host.Options.SessionId, _host.Marker);
        _loop = new ChatLoop(_session, _host, ConsoleFactory.Create(_output), _log);
    }

    private Task RunAsync(params string[] lines) => _loop.RunAsync(new StringReader(string.Join('\n', lines) + "\n"), CancellationToken.None);

    [Fact]
    public async Task Image_command_names_the_new_handle_and_images_lists_provenance()
    {
        await RunAsync($"/image {RepositoryPaths.SampleImage("chelsea.png")}", $"/image \"{RepositoryPaths.SampleImage("coins.png")}\"", "/images");

        var text = _output.ToString();
        Assert.Contains("attached img1: chelsea.png (451x300 PNG)", text);
        Assert.Contains("attached img2: coins.png", text);
        Assert.Contains($"img2  coins.png (384x303 PNG)  {RepositoryPaths.SampleImage("coins.png")}", text);
        Assert.DoesNotContain("img2  img2", text);
    }

    [Fact]
    public async Task Save_into_a_folder_names_the_file_and_never_replaces_one_and_a_failure_costs_one_line()
    {
        var folder = Directory.CreateTempSubdirectory("chat-save-").FullName;
        try
        {
            var blocker = Path.Combine(folder, "taken.json");
            await File.WriteAllTextAsync(blocker, "keep me");

            await RunAsync($"/save {folder}", $"/save {blocker}", "/save /proc/no-such-dir/session.json", "/images");

            var text = _output.ToString();
            Assert.True(File.Exists(Path.Combine(folder, $"session-{_log.Id}.json")));
            Assert.Equal("keep me", await File.ReadAllTextAsync(blocker));
            Assert.Contains("already exists", text);
            Assert.Contains("/save: cannot write /proc/no-such-dir/session.json", text);
            // The session went on after both failures: the last command still ran.
            Assert.Contains("no images yet", text);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Tools_says_which_functions_cannot_run_yet()
    {
        await RunAsync("/tools");

        var lines = _output.ToString().Split('\n');
        Assert.Contains(lines, l => l.StartsWith("edit.inpaint:", StringComparison.Ordinal) && l.Contains("unavailable: needs models", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("edit.crop:", StringComparison.Ordinal) && !l.Contains("unavailable", StringComparison.Ordinal));
    }

    [Fact]
    public void A_leading_tilde_is_the_home_folder()
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

        Assert.Equal(Path.Combine(home, "x.png"), ImagePathFinder.ExpandHome("~/x.png"));
        Assert.Equal(home, ImagePathFinder.ExpandHome("~"));
        Assert.Equal("a/~/x.png", ImagePathFinder.ExpandHome("a/~/x.png"));
        Assert.Equal("~user/x.png", ImagePathFinder.ExpandHome("~user/x.png"));
    }

    [Fact]
    public async Task A_path_typed_into_a_message_is_attached_and_replaced_by_its_handle()
    {
        await RunAsync($"how big is {RepositoryPaths.SampleImage("chelsea.png")}?");

        var turn = Assert.Single(_session.Turns);
        Assert.Equal("how big is img1?", turn.Question);
        Assert.Equal("image_info", Assert.Single(turn.Result.Steps).Action);
        Assert.Contains("451x300", turn.Result.Answer);
    }

    [Fact]
    public async Task Handles_survive_across_turns_and_trace_shows_the_last_turn()
    {
        await RunAsync($"/image {RepositoryPaths.SampleImage("chelsea.png")}", "how big is this image?", "is it dark or bright?", "/trace");

        Assert.Equal(2, _session.Turns.Count);
        Assert.All(_session.Turns, t => Assert.Equal("{\"image\":\"img1\"}", t.Result.Steps.Single().Input));
        var text = _output.ToString();
        var trace = text[text.LastIndexOf("Question:", StringComparison.Ordinal)..];
        Assert.Contains("Question: is it dark or bright?", trace);
        Assert.Contains("Action: image_info {\"image\":\"img1\"}", trace);
        Assert.Contains("mean brightness", trace);
    }

    [Fact]
    public async Task Tools_help_reset_and_unknown_commands_answer_without_a_turn()
    {
        await RunAsync($"/image {RepositoryPaths.SampleImage("chelsea.png")}", "/tools", "/help", "/bogus", "/reset", "/images");

        var text = _output.ToString();
        Assert.Contains("image_info: Format, width, height", text);
        Assert.Contains("/save PATH  save the session as JSON", text);
        Assert.Contains("unknown command /bogus", text);
        Assert.Contains("conversation and images cleared", text);
        Assert.Contains("no images yet", text);
        Assert.Empty(_session.Turns);
    }

    [Fact]
    public async Task Save_writes_the_session_as_json()
    {
        var path = Path.Combine(_home, "saved", "s.json");

        await RunAsync($"/image {RepositoryPaths.SampleImage("chelsea.png")}", "how big is this image?", $"/save {path}");

        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var turn = doc.RootElement.GetProperty("turns")[0];
        Assert.Equal("how big is this image?", turn.GetProperty("question").GetString());
        Assert.Equal("image_info", turn.GetProperty("steps")[0].GetProperty("action").GetString());
        Assert.Equal("img1", doc.RootElement.GetProperty("images")[0].GetProperty("handle").GetString());
        Assert.Equal(OfflinePlanner.Provider, doc.RootElement.GetProperty("planner").GetProperty("provider").GetString());
    }

    [Fact]
    public async Task Exit_stops_reading_and_every_event_is_in_the_log()
    {
        await RunAsync($"/image {RepositoryPaths.SampleImage("chelsea.png")}", "how big is this image?", "/exit", "how big is this image?");

        Assert.Single(_session.Turns);
        _log.Dispose();
        var events = File.ReadAllLines(_log.FilePath).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("event").GetString()).ToList();
        Assert.Equal(["image", "turn_start", "llm_request", "thought", "action", "observation", "llm_request", "thought", "answer", "session_end"], events);
    }

    [Fact]
    public async Task Cancelling_a_turn_returns_to_the_prompt()
    {
        var slow = new BlockingChat();
        var session = _host.CreateSession(slow, new Core.Agent.LlmIdentity("scripted", "slow"));
        var loop = new ChatLoop(session, _host, ConsoleFactory.Create(_output), _log);
        var input = new StringReader("first question\n/help\n");

        var run = loop.RunAsync(input, CancellationToken.None);
        await slow.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(loop.CancelTurn());
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(Core.Agent.RunStatus.Cancelled, Assert.Single(session.Turns).Result.Status);
        var text = _output.ToString();
        Assert.Contains("turn cancelled; the session goes on", text);
        Assert.Contains("/image PATH", text[text.IndexOf("turn cancelled", StringComparison.Ordinal)..]);
        Assert.False(loop.CancelTurn());
    }

    public void Dispose()
    {
        _log.Dispose();
        _host.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _output.Dispose();
        Directory.Delete(_home, recursive: true);
    }

    private sealed class BlockingChat : Microsoft.SemanticKernel.ChatCompletion.IChatCompletionService
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IReadOnlyDictionary<string, object?> Attributes { get; } = new Dictionary<string, object?>();

        public async Task<IReadOnlyList<Microsoft.SemanticKernel.ChatMessageContent>> GetChatMessageContentsAsync(Microsoft.SemanticKernel.ChatCompletion.ChatHistory chatHistory, Microsoft.SemanticKernel.PromptExecutionSettings? executionSettings = null, Microsoft.SemanticKernel.Kernel? kernel = null, CancellationToken cancellationToken = default)
        {
            Started.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return [];
        }

        public IAsyncEnumerable<Microsoft.SemanticKernel.StreamingChatMessageContent> GetStreamingChatMessageContentsAsync(Microsoft.SemanticKernel.ChatCompletion.ChatHistory chatHistory, Microsoft.SemanticKernel.PromptExecutionSettings? executionSettings = null, Microsoft.SemanticKernel.Kernel? kernel = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();
    }
}
