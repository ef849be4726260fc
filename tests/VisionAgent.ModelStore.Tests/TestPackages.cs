using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using VisionAgent.ModelStore;

namespace VisionAgent.ModelStore.Tests;

/// <summary>Builds npm-style tarballs in tests.</summary>
internal static class TestTarball
{
    public static string Build(string path, IReadOnlyDictionary<string, byte[]> entries)
    {
        using (var file = File.Create(path))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        using (var writer = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            foreach (var (name, data) in entries)
            {
                var entry = new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) };
                writer.WriteEntry(entry);
            }
        }
        return path;
    }

    public static byte[] Bytes(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    public static string Sha(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));
}

/// <summary>A package fetcher that copies prepared archives and counts the calls.</summary>
internal sealed class FakePackageFetcher(IReadOnlyDictionary<string, string> archives) : IPackageFetcher
{
    public List<string> Calls { get; } = [];

    public Task<string> FetchNpmAsync(string packageSpec, string destination, CancellationToken cancellationToken) => Copy(packageSpec, destination, ".tgz");

    public Task<string> FetchNuGetAsync(string packageSpec, string destination, CancellationToken cancellationToken) => Copy(packageSpec, destination, ".nupkg");

    private Task<string> Copy(string packageSpec, string destination, string extension)
    {
        Calls.Add(packageSpec);
        Directory.CreateDirectory(destination);
        var target = Path.Combine(destination, "package" + extension);
        File.Copy(archives[packageSpec], target);
        return Task.FromResult(target);
    }
}

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 serving one body. With <see cref="StallAfter"/> set it sends that
/// many bytes and then waits, as a connection that drops mid-download; with a status other than 200 it answers
/// that status with an empty body (a source that is gone).
/// </summary>
internal sealed class LocalFileServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly byte[] _body;

    private readonly int _status;

    public LocalFileServer(byte[] body, int? stallAfter = null, int status = 200)
    {
        _body = status == 200 ? body : [];
        _status = status;
        StallAfter = stallAfter;
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public int? StallAfter { get; }

    public int Requests => _requests;

    private int _requests;

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/model.bin";

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            _ = Task.Run(() => RespondAsync(client));
        }
    }

    private async Task RespondAsync(TcpClient client)
    {
        Interlocked.Increment(ref _requests);
        using (client)
        {
            var stream = client.GetStream();
            var request = new byte[4096];
            var read = 0;
            while (!Encoding.ASCII.GetString(request, 0, read).Contains("\r\n\r\n", StringComparison.Ordinal))
                read += await stream.ReadAsync(request.AsMemory(read));
            var header = Encoding.ASCII.GetBytes($"HTTP/1.1 {_status} {(_status == 200 ? "OK" : "Error")}\r\nContent-Length: {_body.Length}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n");
            try
            {
                await stream.WriteAsync(header);
                var sent = StallAfter ?? _body.Length;
                await stream.WriteAsync(_body.AsMemory(0, sent));
                await stream.FlushAsync();
                if (StallAfter is not null) await Task.Delay(Timeout.Infinite, _stop.Token);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException)
            {
                // The client went away or the server is stopping.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        _stop.Dispose();
    }
}
