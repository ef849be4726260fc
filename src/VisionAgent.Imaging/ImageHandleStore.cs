using System.Globalization;
using VisionAgent.Abstractions;

namespace VisionAgent.Imaging;

/// <summary>The session's image store: handles img1, img2, ... in the order images arrive. Thread-safe.</summary>
public sealed class ImageHandleStore : IImageStore
{
    private readonly Lock _gate = new();
    private readonly List<ImageRecord> _images = [];
    private readonly List<RegionRecord> _regions = [];
    private readonly ImageLoader _loader;
    private readonly HashSet<string> _reserved = new(StringComparer.Ordinal);
    private int _nextImage = 1;
    private int _nextFile;

    public ImageHandleStore(string outputDirectory, ImageLoader loader)
    {
        OutputDirectory = Path.GetFullPath(outputDirectory);
        _loader = loader;
    }

    public string OutputDirectory { get; }

    public IReadOnlyList<ImageRecord> Images
    {
        get { lock (_gate) return [.. _images]; }
    }

    public IReadOnlyList<RegionRecord> Regions
    {
        get { lock (_gate) return [.. _regions]; }
    }

    public ImageRecord AddInput(string path)
    {
        var full = Path.GetFullPath(path);
        var header = _loader.Identify(full);
        lock (_gate)
        {
            var existing = _images.FirstOrDefault(i => i.Parent is null && i.Path == full);
            if (existing is not null) return existing;
            var record = new ImageRecord
            {
                Handle = NextHandle(),
                Path = full,
                Width = header.Width,
                Height = header.Height,
                Format = header.Format,
                Kind = "input",
            };
            _images.Add(record);
            return record;
        }
    }

    public ImageRecord AddProduced(string path, string parent, string operation, string kind, IReadOnlyDictionary<string, string>? parameters = null)
    {
        var full = Path.GetFullPath(path);
        if (!full.StartsWith(OutputDirectory + Path.DirectorySeparatorChar, StringComparison.Ordinal) || EscapesThroughLink(full))
            throw new VisionAgentException($"experts may only write under the session's output folder, not {full}");
        Get(parent);
        var header = _loader.Identify(full);
        lock (_gate)
        {
            _reserved.Remove(full);
            var record = new ImageRecord
            {
                Handle = NextHandle(),
                Path = full,
                Width = header.Width,
                Height = header.Height,
                Format = header.Format,
                Kind = kind,
                Parent = parent,
                Operation = operation,
                Parameters = parameters ?? new Dictionary<string, string>(),
            };
            _images.Add(record);
            return record;
        }
    }

    /// <summary>
    /// Reserves the next free name (<c>NNN-parent-kind.ext</c>) through <see cref="OutputFile.Reserve"/>: numbering
    /// continues after the files already in the folder, so a reused folder keeps its earlier results.
    /// </summary>
    public string NewOutputPath(string parent, string kind, string extension = ".png")
    {
        if (extension.Length is < 2 or > 6 || extension[0] != '.' || !extension[1..].All(char.IsAsciiLetterOrDigit))
            throw new ArgumentException($"not a file extension: '{extension}'", nameof(extension));
        var safeKind = new string(kind.Where(char.IsAsciiLetterOrDigit).ToArray());
        var safeParent = new string(parent.Where(char.IsAsciiLetterOrDigit).ToArray());
        lock (_gate)
        {
            if (_nextFile == 0) _nextFile = HighestNumberInFolder() + 1;
            var (path, number) = OutputFile.Reserve(OutputDirectory,
                n => string.Create(CultureInfo.InvariantCulture, $"{n:000}-{safeParent}-{safeKind}{extension}"), _nextFile);
            _nextFile = number + 1;
            _reserved.Add(path);
            return path;
        }
    }

    /// <summary>Deletes the reserved names no expert wrote (it failed first), so no empty file is left behind.</summary>
    public void ReleaseUnusedReservations()
    {
        string[] unused;
        lock (_gate)
        {
            unused = [.. _reserved];
            _reserved.Clear();
        }
        foreach (var path in unused)
        {
            if (OutputFile.IsReservation(path)) File.Delete(path);
        }
    }

    private int HighestNumberInFolder()
    {
        if (!Directory.Exists(OutputDirectory)) return 0;
        var highest = 0;
        foreach (var name in Directory.EnumerateFileSystemEntries(OutputDirectory).Select(entry => Path.GetFileName(entry)))
        {
            var digits = name.TakeWhile(char.IsAsciiDigit).Count();
            if (digits is > 0 and < 9 && name.Length > digits && name[digits] == '-')
                highest = Math.Max(highest, int.Parse(name.AsSpan(0, digits), CultureInfo.InvariantCulture));
        }
        return highest;
    }

    public ImageRecord Get(string handle)
    {
        if (TryGet(handle, out var record)) return record;
        lock (_gate) throw new UnknownHandleException(handle, _images.Select(i => i.Handle).Concat(_regions.Select(r => r.Reference)));
    }

    public bool TryGet(string handle, out ImageRecord record)
    {
        var key = handle.Trim();
        lock (_gate)
        {
            record = _images.FirstOrDefault(i => string.Equals(i.Handle, key, StringComparison.OrdinalIgnoreCase))!;
            return record is not null;
        }
    }

    public RegionRecord AddRegion(string imageHandle, string label, float score, PixelBox box, string prefix = "det")
    {
        var image = Get(imageHandle);
        lock (_gate)
        {
            var n = _regions.Count(r => r.ImageHandle == image.Handle && r.Reference.Contains('#' + prefix, StringComparison.Ordinal)) + 1;
            var region = new RegionRecord($"{image.Handle}#{prefix}{n}", image.Handle, label, score, box);
            _regions.Add(region);
            return region;
        }
    }

    public bool TryGetRegion(string reference, out RegionRecord region)
    {
        var key = reference.Trim();
        lock (_gate)
        {
            region = _regions.FirstOrDefault(r => string.Equals(r.Reference, key, StringComparison.OrdinalIgnoreCase))!;
            return region is not null;
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _images.Clear();
            _regions.Clear();
            _nextImage = 1;
        }
    }

    /// <summary>True when the file, or a folder between it and the output folder, is a link (it could point anywhere).</summary>
    private bool EscapesThroughLink(string full)
    {
        if (File.Exists(full) && new FileInfo(full).LinkTarget is not null) return true;
        for (var dir = Path.GetDirectoryName(full); dir is not null && dir.Length > OutputDirectory.Length; dir = Path.GetDirectoryName(dir))
        {
            if (new DirectoryInfo(dir).LinkTarget is not null) return true;
        }
        return false;
    }

    private string NextHandle() => string.Create(CultureInfo.InvariantCulture, $"img{_nextImage++}");
}
