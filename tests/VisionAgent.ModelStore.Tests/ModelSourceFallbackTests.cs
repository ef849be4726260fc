using System.Net;
using System.Net.Sockets;
using VisionAgent.Abstractions;
using VisionAgent.ModelStore;

namespace VisionAgent.ModelStore.Tests;

/// <summary>Several sources per file, tried in order against one checksum, with failures worded per source.</summary>
public sealed class ModelSourceFallbackTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "visionagent-tests", "sources-" + Guid.NewGuid().ToString("N"));
    private readonly byte[] _body = TestTarball.Bytes(120_000, 3);

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private string CacheDir => Path.Combine(_root, "cache");

    private ExpertManifest Manifest(params string[] urls) => new()
    {
        Name = "detect",
        Description = "d",
        Models =
        [
            new ModelFileSpec
            {
                Name = "model", File = "model.onnx", Size = _body.Length, Sha256 = TestTarball.Sha(_body), AutoFetch = false,
                Sources = urls.Select(u => new ModelSource { Url = u }).ToList(),
            },
        ],
    };

    private ModelCache Cache(ExpertManifest manifest, List<string> warnings) =>
        new(new ModelCacheOptions { CacheDirectory = CacheDir, Manifests = [manifest], Warn = warnings.Add });

    [Fact]
    public async Task A_source_that_is_gone_names_the_next_one_and_the_next_one_serves()
    {
        await using var gone = new LocalFileServer([], status: 404);
        await using var mirror = new LocalFileServer(_body);
        var warnings = new List<string>();
        var cache = Cache(Manifest(gone.Url, mirror.Url), warnings);

        var fetched = Assert.Single(await cache.FetchAsync("detect", null, CancellationToken.None));
        var listed = Assert.Single(cache.List("detect"));

        Assert.Equal(_body, File.ReadAllBytes(fetched.Path));
        Assert.Equal(mirror.Url, fetched.Source);
        var warning = Assert.Single(warnings);
        Assert.Contains("not found (HTTP 404)", warning);
        Assert.Contains(gone.Url, warning);
        Assert.Contains("trying " + mirror.Url, warning);
        Assert.Equal(mirror.Url, listed.ServedBy);
        Assert.Equal(2, listed.SourceCount);
    }

    [Fact]
    public async Task A_source_serving_other_bytes_is_refused_and_the_next_one_is_verified_against_the_same_checksum()
    {
        await using var tampered = new LocalFileServer(TestTarball.Bytes(120_000, 4));
        await using var mirror = new LocalFileServer(_body);
        var warnings = new List<string>();
        var cache = Cache(Manifest(tampered.Url, mirror.Url), warnings);

        var fetched = Assert.Single(await cache.FetchAsync("detect", null, CancellationToken.None));

        Assert.Equal(TestTarball.Sha(_body), fetched.Sha256);
        Assert.Contains("checksum mismatch", Assert.Single(warnings));
        Assert.Equal(1, mirror.Requests);
    }

    [Fact]
    public async Task When_every_source_fails_the_error_is_one_line_with_each_reason_and_exit_code_3()
    {
        await using var gone = new LocalFileServer([], status: 404);
        var closedPort = ClosedPortUrl();
        var cache = Cache(Manifest(gone.Url, closedPort), []);

        var error = await Assert.ThrowsAsync<ModelFetchException>(() => cache.FetchAsync("detect", null, CancellationToken.None));

        Assert.Equal(ExitCodes.BadInput, error.ExitCode);
        Assert.DoesNotContain('\n', error.Message);
        Assert.StartsWith("detect/model.onnx: every source failed:", error.Message);
        Assert.Contains($"{gone.Url}: not found (HTTP 404)", error.Message);
        Assert.Contains($"{closedPort}: host unreachable (connection refused)", error.Message);
        Assert.False(File.Exists(Path.Combine(CacheDir, "detect", "model.onnx")));
    }

    [Fact]
    public async Task A_single_source_that_is_unreachable_says_so_in_one_line()
    {
        var closedPort = ClosedPortUrl();
        var cache = Cache(Manifest(closedPort), []);

        var error = await Assert.ThrowsAsync<ModelFetchException>(() => cache.FetchAsync("detect", null, CancellationToken.None));

        Assert.Equal($"detect/model.onnx: {closedPort}: host unreachable (connection refused)", error.Message);
    }

    [Fact]
    public async Task The_first_source_that_works_is_the_only_one_asked()
    {
        await using var first = new LocalFileServer(_body);
        await using var second = new LocalFileServer(_body);
        var warnings = new List<string>();
        var cache = Cache(Manifest(first.Url, second.Url), warnings);

        await cache.FetchAsync("detect", null, CancellationToken.None);

        Assert.Equal(1, first.Requests);
        Assert.Equal(0, second.Requests);
        Assert.Empty(warnings);
    }

    private static string ClosedPortUrl()
    {
        // A port that was free a moment ago and has nothing listening now.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port}/model.onnx";
    }
}
