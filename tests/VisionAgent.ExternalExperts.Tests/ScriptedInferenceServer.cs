using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace VisionAgent.ExternalExperts.Tests;

/// <summary>One scripted answer of the fake inference server.</summary>
public sealed record InferenceReply(int Status, string Body, TimeSpan Delay = default);

/// <summary>
/// A KServe v2 (open inference protocol) server on 127.0.0.1 that plays scripted answers to
/// <c>/v2/models/{name}/infer</c> and answers <c>/v2/health/ready</c> with 200; records every request.
/// </summary>
public sealed class ScriptedInferenceServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<InferenceReply> _script;
    private readonly CancellationTokenSource _stop = new();

    public ScriptedInferenceServer(params InferenceReply[] script)
    {
        _script = new ConcurrentQueue<InferenceReply>(script);
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Url = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Url + "/");
        _listener.Start();
        _ = Task.Run(LoopAsync);
    }

    public string Url { get; }

    public ConcurrentQueue<(string Method, string Path, string Body)> Requests { get; } = new();

    public static string Output(string name, params float[] data) =>
        $$"""{"model_name":"colours","outputs":[{"name":"{{name}}","shape":[1,{{data.Length}}],"datatype":"FP32","data":[{{string.Join(",", data.Select(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture)))}}]}]}""";

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var path = context.Request.Url!.AbsolutePath;
        Requests.Enqueue((context.Request.HttpMethod, path, body));
        var reply = path == "/v2/health/ready"
            ? new InferenceReply(200, "")
            : _script.TryDequeue(out var next) ? next : new InferenceReply(500, """{"error":"script exhausted"}""");
        try
        {
            if (reply.Delay > TimeSpan.Zero) await Task.Delay(reply.Delay, _stop.Token);
            context.Response.StatusCode = reply.Status;
            context.Response.ContentType = "application/json";
            var bytes = Encoding.UTF8.GetBytes(reply.Body);
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
        catch (Exception ex) when (ex is HttpListenerException or OperationCanceledException or ObjectDisposedException)
        {
            // The client gave up (timeout) or the server is stopping.
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
    }
}
