namespace VisionAgent.Imaging.Writing;

/// <summary>
/// Writes a new file without ever replacing one: the bytes go to a fresh temporary name beside it (created
/// exclusively, so a planted link is never followed) and are moved to <c>path</c> only when complete, and only when
/// nothing is there yet.
/// </summary>
internal static class ExclusiveFile
{
    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024))
            {
                write(stream);
            }
            File.Move(temporary, full, overwrite: false);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }
}
