using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace VisionAgent.Testing.Llm;

/// <summary>One scripted answer of <see cref="ScriptedChatServer"/>.</summary>
public sealed record ScriptedResponse
{
    public int Status { get; init; } = 200;
    public string? Body { get; init; }
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>Wait this long before answering (past the client's timeout makes a hang).</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>Send only the first bytes of the body, then close (a truncated response).</summary>
    public int? TruncateAfterBytes { get; init; }

    /// <summary>Send the body one byte at a time with this pause before each (a body that trickles in).</summary>
    public TimeSpan BytePause { get; init; }

    /// <summary>Server-sent events sent instead of a body (each the payload of one <c>data:</c> line, one HTTP chunk each).</summary>
    public IReadOnlyList<string>? Events { get; init; }

    /// <summary>Pause before each event.</summary>
    public TimeSpan EventPause { get; init; }

    /// <summary>After this many events send nothing more and keep the connection open (a stream that hangs).</summary>
    public int? HangAfterEvents { get; init; }

    /// <summary>After this many events end the body cleanly, without a finish reason or <c>[DONE]</c> (a stream cut short).</summary>
    public int? EndAfterEvents { get; init; }

    /// <summary>After this many events close the connection in the middle of the chunked body (a dropped stream).</summary>
    public int? DropAfterEvents { get; init; }

    /// <summary>Wait for this task before sending event number <see cref="GateBeforeEvent"/>, so a test can look at what arrived before.</summary>
    public Task? Gate { get; init; }

    public int GateBeforeEvent { get; init; }

    /// <summary>
    /// A streamed chat completion whose assistant message is the concatenation of <paramref name="pieces"/>, one event
    /// each, then the finish reason, the usage and <c>[DONE]</c>, as OpenAI sends them.
    /// </summary>
    public static ScriptedResponse Stream(IEnumerable<string> pieces, int promptTokens = 10, int completionTokens = 5)
    {
        var events = new List<string>();
        var first = true;
        foreach (var piece in pieces)
        {
            events.Add(Chunk(new { role = first ? "assistant" : null, content = piece }, null));
            first = false;
        }
        events.Add(Chunk(new { }, "stop"));
        events.Add(JsonSerializer.Serialize(new
        {
            id = "chatcmpl-scripted",
            @object = "chat.completion.chunk",
            created = 1_700_000_000,
            model = "scripted",
            choices = Array.Empty<object>(),
            usage = new { prompt_tokens = promptTokens, completion_tokens = completionTokens, total_tokens = promptTokens + completionTokens },
        }));
        events.Add("[DONE]");
        return new ScriptedResponse { Events = events };
    }

    private static string Chunk(object delta, string? finishReason) => JsonSerializer.Serialize(new
    {
        id = "chatcmpl-scripted",
        @object = "chat.completion.chunk",
        created = 1_700_000_000,
        model = "scripted",
        choices = new[] { new { index = 0, delta, finish_reason = finishReason } },
    }, new JsonSerializerOptions { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull });

    /// <summary>A chat completion whose assistant message is <paramref name="content"/>.</summary>
    public static ScriptedResponse Reply(string content, int promptTokens = 10, int completionTokens = 5) => new()
    {
        Body = JsonSerializer.Serialize(new
        {
            id = "chatcmpl-scripted",
            @object = "chat.completion",
            created = 1_700_000_000,
            model = "scripted",
            choices = new[] { new { index = 0, message = new { role = "assistant", content }, finish_reason = "stop" } },
            usage = new { prompt_tokens = promptTokens, completion_tokens = completionTokens, total_tokens = promptTokens + completionTokens },
        }),
    };

    /// <summary>A chat completion that calls one tool (native function calling).</summary>
    public static ScriptedResponse ToolCall(string functionName, string argumentsJson, string id = "call_1") =>
        WithToolCalls([(id, functionName, argumentsJson)]);

    /// <summary>A chat completion that calls several tools in one reply (ids call_1, call_2, ...).</summary>
    public static ScriptedResponse ToolCalls(IEnumerable<(string FunctionName, string ArgumentsJson)> calls) =>
        WithToolCalls(calls.Select((c, i) => ($"call_{i + 1}", c.FunctionName, c.ArgumentsJson)).ToList());

    private static ScriptedResponse WithToolCalls(IReadOnlyList<(string Id, string FunctionName, string ArgumentsJson)> calls) => new()
    {
        Body = JsonSerializer.Serialize(new
        {
            id = "chatcmpl-scripted",
            @object = "chat.completion",
            created = 1_700_000_000,
            model = "scripted",
            choices = new[]
            {
                new
                {
                    index = 0,
                    message = new
                    {
                        role = "assistant",
                        content = (string?)null,
                        tool_calls = calls.Select(c => new
                        {
                            id = c.Id,
                            type = "function",
                            function = new { name = c.FunctionName, arguments = c.ArgumentsJson },
                        }).ToArray(),
                    },
                    finish_reason = "tool_calls",
                },
            },
            usage = new { prompt_tokens = 10, completion_tokens = 5, total_tokens = 15 },
        }),
    };

    public static ScriptedResponse Error(int status, string? retryAfter = null) => new()
    {
        Status = status,
        Body = "{\"error\":{\"message\":\"scripted failure\",\"type\":\"server_error\"}}",
        Headers = retryAfter is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["Retry-After"] = retryAfter },
    };
}

/// <summary>
/// An OpenAI-compatible chat server on 127.0.0.1 that plays a script: each POST to
/// <c>/v1/chat/completions</c> takes the next response (or asks a callback). Requests are recorded.
/// </summary>
public sealed class ScriptedChatServer : IDisposable
{
    private readonly TcpListener _listener;
    private readonly ConcurrentQueue<ScriptedResponse> _script = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public ScriptedChatServer(IEnumerable<ScriptedResponse>? script = null, Func<JsonDocument, ScriptedResponse>? responder = null)
    {
        foreach (var response in script ?? []) _script.Enqueue(response);
        Responder = responder;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _loop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The base URL to give the connector (ends with /v1).</summary>
    public string Endpoint => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/v1";

    public Func<JsonDocument, ScriptedResponse>? Responder { get; set; }

    /// <summary>Every request body received, in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public void Enqueue(params ScriptedResponse[] responses)
    {
        foreach (var response in responses) _script.Enqueue(response);
    }

    /// <summary>The messages' contents of the n-th request (0-based).</summary>
    public IReadOnlyList<(string Role, string Content)> Messages(int request)
    {
        using var doc = JsonDocument.Parse(Requests.ElementAt(request));
        return doc.RootElement.GetProperty("messages").EnumerateArray()
            .Select(m => (m.GetProperty("role").GetString() ?? "", ContentText(m)))
            .ToList();
    }

    private static string ContentText(JsonElement message)
    {
        if (!message.TryGetProperty("content", out var content)) return "";
        return content.ValueKind switch
        {
            JsonValueKind.String => content.GetString() ?? "",
            JsonValueKind.Array => string.Join("\n", content.EnumerateArray().Where(p => p.TryGetProperty("text", out _)).Select(p => p.GetProperty("text").GetString())),
            _ => "",
        };
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
            // The accept loop ends by the listener stopping; its exception is expected.
        }
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            while (!_stop.IsCancellationRequested)
            {
                var request = await ReadRequestAsync(stream, _stop.Token);
                if (request is null) return;
                Requests.Enqueue(request);
                ScriptedResponse response;
                if (_script.TryDequeue(out var next)) response = next;
                else if (Responder is not null)
                {
                    using var doc = JsonDocument.Parse(request);
                    response = Responder(doc);
                }
                else response = ScriptedResponse.Error(500);
                if (response.Delay > TimeSpan.Zero) await Task.Delay(response.Delay, _stop.Token);
                await WriteResponseAsync(stream, response, _stop.Token);
                if (response.TruncateAfterBytes is not null || response.Events is not null) return;
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The client went away (a timeout on its side, or the test ended).
        }
    }

    private static async Task<string?> ReadRequestAsync(NetworkStream stream, CancellationToken ct)
    {
        var header = new StringBuilder();
        var buffer = new byte[1];
        while (!header.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            var n = await stream.ReadAsync(buffer, ct);
            if (n == 0) return null;
            header.Append((char)buffer[0]);
        }
        var length = 0;
        var chunked = false;
        foreach (var line in header.ToString().Split("\r\n"))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)) length = int.Parse(line[15..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            if (line.StartsWith("Transfer-Encoding:", StringComparison.OrdinalIgnoreCase) && line.Contains("chunked", StringComparison.OrdinalIgnoreCase)) chunked = true;
        }
        if (chunked) return await ReadChunkedAsync(stream, ct);
        var body = new byte[length];
        var read = 0;
        while (read < length)
        {
            var n = await stream.ReadAsync(body.AsMemory(read), ct);
            if (n == 0) return null;
            read += n;
        }
        return Encoding.UTF8.GetString(body);
    }

    private static async Task<string> ReadChunkedAsync(NetworkStream stream, CancellationToken ct)
    {
        var body = new MemoryStream();
        while (true)
        {
            var sizeLine = await ReadLineAsync(stream, ct);
            var size = Convert.ToInt32(sizeLine.Split(';')[0].Trim(), 16);
            if (size == 0)
            {
                await ReadLineAsync(stream, ct);
                return Encoding.UTF8.GetString(body.ToArray());
            }
            var chunk = new byte[size];
            var read = 0;
            while (read < size) read += await stream.ReadAsync(chunk.AsMemory(read), ct);
            body.Write(chunk);
            await ReadLineAsync(stream, ct);
        }
    }

    private static async Task<string> ReadLineAsync(NetworkStream stream, CancellationToken ct)
    {
        var line = new StringBuilder();
        var buffer = new byte[1];
        while (await stream.ReadAsync(buffer, ct) == 1)
        {
            if (buffer[0] == '\n') break;
            if (buffer[0] != '\r') line.Append((char)buffer[0]);
        }
        return line.ToString();
    }

    private static async Task WriteResponseAsync(NetworkStream stream, ScriptedResponse response, CancellationToken ct)
    {
        if (response.Events is not null)
        {
            await WriteEventsAsync(stream, response, ct);
            return;
        }
        var body = Encoding.UTF8.GetBytes(response.Body ?? "");
        var head = new StringBuilder();
        head.Append(System.Globalization.CultureInfo.InvariantCulture, $"HTTP/1.1 {response.Status} {(response.Status == 200 ? "OK" : "Scripted")}\r\n");
        head.Append("Content-Type: application/json\r\n");
        head.Append(System.Globalization.CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n");
        foreach (var (key, value) in response.Headers) head.Append(System.Globalization.CultureInfo.InvariantCulture, $"{key}: {value}\r\n");
        head.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), ct);
        if (response.BytePause > TimeSpan.Zero)
        {
            for (var i = 0; i < body.Length; i++)
            {
                await Task.Delay(response.BytePause, ct);
                await stream.WriteAsync(body.AsMemory(i, 1), ct);
                await stream.FlushAsync(ct);
            }
            return;
        }
        if (response.TruncateAfterBytes is { } n)
        {
            await stream.WriteAsync(body.AsMemory(0, Math.Min(n, body.Length)), ct);
            await stream.FlushAsync(ct);
            return;
        }
        await stream.WriteAsync(body, ct);
        await stream.FlushAsync(ct);
    }

    private static async Task WriteEventsAsync(NetworkStream stream, ScriptedResponse response, CancellationToken ct)
    {
        var head = $"HTTP/1.1 {response.Status} OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), ct);
        await stream.FlushAsync(ct);
        var events = response.Events!;
        for (var i = 0; i < events.Count; i++)
        {
            if (i == response.HangAfterEvents)
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            if (i == response.DropAfterEvents) return;
            if (i == response.EndAfterEvents) break;
            if (response.Gate is { } gate && i == response.GateBeforeEvent) await gate.WaitAsync(ct);
            if (response.EventPause > TimeSpan.Zero) await Task.Delay(response.EventPause, ct);
            var data = Encoding.UTF8.GetBytes($"data: {events[i]}\n\n");
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"{data.Length:X}\r\n"), ct);
            await stream.WriteAsync(data, ct);
            await stream.WriteAsync("\r\n"u8.ToArray(), ct);
            await stream.FlushAsync(ct);
        }
        await stream.WriteAsync("0\r\n\r\n"u8.ToArray(), ct);
        await stream.FlushAsync(ct);
    }
}
