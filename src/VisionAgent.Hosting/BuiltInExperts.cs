using System.Reflection;
using VisionAgent.Abstractions;

namespace VisionAgent.Hosting;

/// <summary>Finds the expert assemblies that ship beside the host (<c>VisionAgent.Plugins.*.dll</c>).</summary>
public static class BuiltInExperts
{
    public const string AssemblyPrefix = "VisionAgent.Plugins.";

    public static IReadOnlyList<Assembly> Discover(string? directory = null)
    {
        directory ??= AppContext.BaseDirectory;
        var assemblies = new List<Assembly>();
        // A built-in expert's assembly is named as its file: loading by that name skips reading each file's
        // metadata first, which cost more at start-up than the load itself.
        foreach (var file in Directory.EnumerateFiles(directory, AssemblyPrefix + "*.dll").Order(StringComparer.Ordinal))
            assemblies.Add(Assembly.Load(new AssemblyName(Path.GetFileNameWithoutExtension(file))));
        return assemblies;
    }

    /// <summary>The names of the built-in experts (from their embedded manifests), which a plugin may not take.</summary>
    public static IReadOnlySet<string> Names(string? directory = null) =>
        Discover(directory).Select(a => ExpertManifestReader.ReadEmbedded(a).Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
}
