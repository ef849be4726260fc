using System.Globalization;
using System.Text.Json;

namespace VisionAgent.Cli.Sessions;

/// <summary>A logged session as <c>visionagent sessions</c> lists it.</summary>
public sealed record SessionSummary(string Id, DateTimeOffset? Started, string Command, int Turns, string? FirstQuestion, string Path);

/// <summary>
/// Reads the session logs under the data folder; a log cut short by a crash still counts up to its last full line,
/// and a line that is not a JSON object (or holds a field of the wrong type) is passed over, not fatal.
/// </summary>
public static class SessionCatalog
{
    public static IReadOnlyList<SessionSummary> List(string sessionsFolder)
    {
        if (!Directory.Exists(sessionsFolder)) return [];
        var sessions = new List<SessionSummary>();
        foreach (var folder in Directory.EnumerateDirectories(sessionsFolder))
        {
            var log = System.IO.Path.Combine(folder, SessionLog.FileName);
            if (File.Exists(log)) sessions.Add(Read(log));
        }
        return sessions.OrderByDescending(s => s.Started ?? DateTimeOffset.MinValue).ToList();
    }

    public static SessionSummary Read(string logPath)
    {
        DateTimeOffset? started = null;
        var command = "";
        var turns = 0;
        string? first = null;
        using var stream = new FileStream(logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0) continue;
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(line);
            }
            catch (JsonException)
            {
                continue; // the last line of a killed process may be cut short
            }
            using (document)
            {
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object) continue;
                var kind = Text(root, "event");
                if (kind == "session_start")
                {
                    if (DateTimeOffset.TryParse(Text(root, "time"), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time))
                        started = time;
                    command = Text(root, "command") ?? "";
                }
                else if (kind == "turn_start")
                {
                    turns++;
                    first ??= Text(root, "question");
                }
            }
        }
        var id = System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(logPath)) ?? "";
        return new SessionSummary(id, started, command, turns, first, logPath);
    }

    private static string? Text(JsonElement line, string property) =>
        line.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
