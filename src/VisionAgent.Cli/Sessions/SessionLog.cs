using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using VisionAgent.Abstractions;
using VisionAgent.Core.Agent;

namespace VisionAgent.Cli.Sessions;

/// <summary>
/// The session log: one JSON object per line (session start, images, each LLM request, thought, action,
/// observation, answer), flushed line by line so a crash or a kill loses nothing already done.
/// </summary>
public sealed class SessionLog : IAgentObserver, IDisposable
{
    public const string FileName = "session.jsonl";

    private static readonly JsonSerializerOptions LineOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly StreamWriter _writer;
    private readonly UntrustedTextMarker _marker;
    private readonly Lock _gate = new();
    private int _turn;

    public SessionLog(string sessionsFolder, string id, UntrustedTextMarker marker)
    {
        Id = id;
        Folder = Path.Combine(sessionsFolder, id);
        Directory.CreateDirectory(Folder);
        FilePath = Path.Combine(Folder, FileName);
        var stream = new FileStream(FilePath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        _writer = new StreamWriter(stream) { AutoFlush = true };
        _marker = marker;
    }

    public string Id { get; }
    public string Folder { get; }
    public string FilePath { get; }

    public void SessionStarted(string command, LlmIdentity planner) =>
        Write("session_start", new() { ["id"] = Id, ["command"] = command, ["planner"] = planner.Provider, ["model"] = planner.Model });

    public void ImageAttached(ImageRecord image) =>
        Write("image", new() { ["handle"] = image.Handle, ["path"] = image.Path, ["width"] = image.Width, ["height"] = image.Height });

    public void TurnStarted(string question)
    {
        _turn++;
        Write("turn_start", new() { ["turn"] = _turn, ["question"] = question });
    }

    public void Note(string kind, string? text = null) => Write(kind, new() { ["text"] = text });

    public void OnEvent(AgentEvent agentEvent)
    {
        switch (agentEvent)
        {
            case LlmRequestStarted started:
                Write("llm_request", new() { ["turn"] = _turn, ["step"] = started.Step });
                break;
            case ThoughtEvent thought:
                Write("thought", new() { ["turn"] = _turn, ["text"] = thought.Thought });
                break;
            case ActionEvent action:
                Write("action", new() { ["turn"] = _turn, ["tool"] = action.Tool, ["input"] = action.Input });
                break;
            case ObservationEvent observation:
                Write("observation", new()
                {
                    ["turn"] = _turn,
                    ["tool"] = observation.Step.Action,
                    ["input"] = observation.Step.Input,
                    ["observation"] = _marker.Unmark(observation.Step.Observation),
                    ["duration_ms"] = observation.Step.DurationMs,
                    ["failed"] = observation.Step.Failed,
                    ["images"] = observation.Step.ImagesProduced,
                });
                break;
            case AnswerEvent answer:
                var produced = answer.Result.Steps.SelectMany(s => s.ImagesProduced).ToHashSet();
                Write("answer", new()
                {
                    ["turn"] = _turn,
                    ["status"] = answer.Result.Status,
                    ["answer"] = answer.Result.Answer,
                    ["error"] = answer.Result.Error,
                    ["duration_ms"] = answer.Result.DurationMs,
                    ["llm_calls"] = answer.Result.LlmCalls,
                    ["images"] = answer.Result.Images.Where(i => produced.Contains(i.Handle)).Select(i => new { handle = i.Handle, path = i.Path, kind = i.Kind, parent = i.Parent }).ToList(),
                });
                break;
        }
    }

    private void Write(string kind, Dictionary<string, object?> fields)
    {
        var line = new Dictionary<string, object?>
        {
            ["event"] = kind,
            ["time"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in fields.Where(f => f.Value is not null)) line[key] = value;
        var json = JsonSerializer.Serialize(line, LineOptions);
        lock (_gate) _writer.WriteLine(json);
    }

    public void Dispose() => _writer.Dispose();
}
