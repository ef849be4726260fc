namespace VisionAgent.Abstractions;

/// <summary>
/// The one way outputs reach the disk. A name is reserved by creating an empty file exclusively (which never goes
/// through a link planted under that name: the next number is taken instead), so concurrent runs sharing a folder
/// never pick the same name. The content is written to a temporary file beside it and renamed over the reservation:
/// a rename replaces the name itself and never writes through a link, and readers never see a half-written file.
/// </summary>
public static class OutputFile
{
    private const int MaxAttempts = 100_000;

    /// <summary>
    /// Creates an empty file named <paramref name="nameFor"/>(n) for the first n from <paramref name="firstNumber"/>
    /// whose name is free, and returns its path and n.
    /// </summary>
    public static (string Path, int Number) Reserve(string directory, Func<int, string> nameFor, int firstNumber)
    {
        ArgumentNullException.ThrowIfNull(nameFor);
        Directory.CreateDirectory(directory);
        for (var n = firstNumber; n < firstNumber + MaxAttempts; n++)
        {
            var path = Path.Combine(directory, nameFor(n));
            try
            {
                new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None).Dispose();
                return (path, n);
            }
            catch (IOException) when (Occupied(path))
            {
                // Taken by an earlier run, a concurrent one, or something planted there: try the next name.
            }
        }
        throw new IOException($"no free output name in {directory} after {MaxAttempts} tries");
    }

    /// <summary>True for an empty regular file (not a link): what <see cref="Reserve"/> leaves, nothing to lose.</summary>
    public static bool IsReservation(string path)
    {
        var info = new FileInfo(path);
        return info.Exists && info.LinkTarget is null && info.Length == 0;
    }

    /// <summary>
    /// Writes <paramref name="path"/> through a temporary file and a rename. The destination must be absent or a
    /// reservation; anything else (an earlier result, a link) is never replaced.
    /// </summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var temporary = CreateTemporary(path, out var stream);
        try
        {
            using (stream)
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            Publish(temporary, path);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Writes a copy of <paramref name="sourcePath"/> to <paramref name="path"/> the way <see cref="Write"/> does.</summary>
    public static void Copy(string sourcePath, string path)
    {
        using var source = new FileStream(sourcePath, FileMode.Open, FileAccess.Read, FileShare.Read);
        Write(path, source.CopyTo);
    }

    /// <summary>The asynchronous form of <see cref="Write"/>.</summary>
    public static async Task WriteAsync(string path, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        var temporary = CreateTemporary(path, out var stream);
        try
        {
            await using (stream.ConfigureAwait(false))
            {
                await write(stream, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            Publish(temporary, path);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    private static string CreateTemporary(string path, out FileStream stream)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full) ?? throw new IOException($"no folder for {path}");
        var temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        return temporary;
    }

    private static void Publish(string temporary, string path)
    {
        if (Occupied(path) && !IsReservation(path))
            throw new IOException($"{path} already exists; outputs never replace a file");
        File.Move(temporary, path, overwrite: true);
    }

    private static bool Occupied(string path)
    {
        var info = new FileInfo(path);
        return info.Exists || info.LinkTarget is not null || Directory.Exists(path);
    }
}
