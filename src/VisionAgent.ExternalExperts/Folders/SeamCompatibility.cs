using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using VisionAgent.Abstractions;

namespace VisionAgent.ExternalExperts.Folders;

/// <summary>
/// Which seam versions the host loads a code plugin against. A plugin may use a seam of the host's compatibility
/// line (the same major version, and while the major is 0 the same minor too, as semantic versioning treats 0.x)
/// that is not newer than the host's own: a newer seam may hold types or members the host lacks, another line
/// may have changed them.
/// </summary>
public static class SeamCompatibility
{
    public const string SeamAssemblyName = "VisionAgent.Abstractions";

    /// <summary>The seam this host carries (major.minor.patch).</summary>
    public static Version HostVersion { get; } = Normalise(typeof(IExpertModule).Assembly.GetName().Version!);

    public static bool Accepts(Version pluginSeam, Version hostSeam)
    {
        pluginSeam = Normalise(pluginSeam);
        hostSeam = Normalise(hostSeam);
        var sameLine = pluginSeam.Major == hostSeam.Major && (hostSeam.Major > 0 || pluginSeam.Minor == hostSeam.Minor);
        return sameLine && pluginSeam <= hostSeam;
    }

    /// <summary>The seam version a plugin assembly was built against, read from its metadata without loading it; null when it references no seam.</summary>
    public static Version? ReadSeamReference(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        if (!pe.HasMetadata) throw new BadImageFormatException($"{Path.GetFileName(assemblyPath)} is not a .NET assembly");
        var metadata = pe.GetMetadataReader();
        foreach (var handle in metadata.AssemblyReferences)
        {
            var reference = metadata.GetAssemblyReference(handle);
            if (metadata.StringComparer.Equals(reference.Name, SeamAssemblyName)) return Normalise(reference.Version);
        }
        return null;
    }

    /// <summary>Null when the host can load the plugin at <paramref name="assemblyPath"/>; else one line that names both versions.</summary>
    public static string? Check(string assemblyPath, Version? hostSeam = null)
    {
        hostSeam = Normalise(hostSeam ?? HostVersion);
        var file = Path.GetFileName(assemblyPath);
        Version? pluginSeam;
        try
        {
            pluginSeam = ReadSeamReference(assemblyPath);
        }
        catch (Exception ex) when (ex is BadImageFormatException or IOException or UnauthorizedAccessException)
        {
            return $"{file} cannot be read: {ex.Message}";
        }
        if (pluginSeam is null)
            return $"{file} does not reference {SeamAssemblyName}: a code plugin implements IExpertModule from the {SeamAssemblyName} package";
        if (Accepts(pluginSeam, hostSeam)) return null;
        var host = hostSeam.ToString(3);
        var lineStart = hostSeam.Major > 0 ? new Version(hostSeam.Major, 0, 0) : new Version(0, hostSeam.Minor, 0);
        var accepted = lineStart == hostSeam ? $"seam {host} only" : $"seams {lineStart.ToString(3)} to {host}";
        var why = pluginSeam > hostSeam ? "newer than" : "of another line than";
        return $"built against {SeamAssemblyName} {pluginSeam.ToString(3)}, {why} this host's {host} (it loads plugins built against {accepted}): rebuild the plugin with {SeamAssemblyName} {host}";
    }

    private static Version Normalise(Version version) => new(version.Major, version.Minor, Math.Max(version.Build, 0));
}
