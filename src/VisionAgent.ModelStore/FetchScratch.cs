namespace VisionAgent.ModelStore;

/// <summary>
/// The scratch space of one model fetch: a folder under <c>&lt;cache&gt;/.staging/</c> for downloaded packages,
/// held by an open, exclusively locked <c>owner.lock</c> for as long as the fetch runs. A process killed
/// mid-fetch leaves the folder (and a <c>.partial</c> model file) behind, but not the lock, so a later fetch can
/// tell such leftovers from another process's live download and delete them (<see cref="SweepStale"/>).
/// </summary>
internal sealed class FetchScratch : IDisposable
{
    public const string StagingFolderName = ".staging";
    public const string PartialSuffix = ".partial";
    private const string OwnerLockName = "owner.lock";

    /// <summary>Leftovers younger than this are never touched: a live fetch may be between two of its steps.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(5);

    private readonly FileStream _ownerLock;

    public FetchScratch(string cacheDirectory)
    {
        Folder = Path.Combine(cacheDirectory, StagingFolderName, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        _ownerLock = new FileStream(Path.Combine(Folder, OwnerLockName), FileMode.CreateNew, FileAccess.Write, FileShare.None);
    }

    public string Folder { get; }

    public void Dispose()
    {
        _ownerLock.Dispose();
        Directory.Delete(Folder, recursive: true);
    }

    /// <summary>
    /// Deletes what interrupted fetches left in <paramref name="cacheDirectory"/>: staging folders whose owner
    /// lock nobody holds and <c>.partial</c> model files nobody has open, if older than <see cref="StaleAfter"/>.
    /// Returns the number of bytes freed.
    /// </summary>
    public static long SweepStale(string cacheDirectory, DateTime utcNow)
    {
        if (!Directory.Exists(cacheDirectory)) return 0;
        long freed = 0;
        var staging = Path.Combine(cacheDirectory, StagingFolderName);
        if (Directory.Exists(staging))
        {
            foreach (var folder in Directory.EnumerateDirectories(staging))
            {
                if (IsStaleFolder(folder, utcNow)) freed += DeleteFolder(folder);
            }
        }
        foreach (var expertFolder in Directory.EnumerateDirectories(cacheDirectory))
        {
            if (Path.GetFileName(expertFolder) == StagingFolderName) continue;
            foreach (var partial in Directory.EnumerateFiles(expertFolder, "*" + PartialSuffix))
            {
                var info = new FileInfo(partial);
                if (utcNow - info.LastWriteTimeUtc < StaleAfter) continue;
                var length = info.Length;
                if (TryDeleteUnused(partial)) freed += length;
            }
        }
        return freed;
    }

    private static bool IsStaleFolder(string folder, DateTime utcNow)
    {
        var info = new DirectoryInfo(folder);
        var owner = Path.Combine(folder, OwnerLockName);
        if (utcNow - info.LastWriteTimeUtc < StaleAfter && utcNow - info.CreationTimeUtc < StaleAfter) return false;
        if (!File.Exists(owner)) return true;
        try
        {
            using var probe = new FileStream(owner, FileMode.Open, FileAccess.Read, FileShare.None);
            return true;
        }
        catch (IOException)
        {
            return false; // the fetch that owns it is still running
        }
    }

    private static bool TryDeleteUnused(string file)
    {
        try
        {
            // Opening it exclusively fails while its download holds it; closing deletes it.
            using var probe = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.None, 1, FileOptions.DeleteOnClose);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static long DeleteFolder(string folder)
    {
        long size = 0;
        try
        {
            size = new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
            Directory.Delete(folder, recursive: true);
            return size;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0; // it went away meanwhile, or is not ours to delete; the next fetch tries again
        }
    }
}
