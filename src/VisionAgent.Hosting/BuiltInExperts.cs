using System.Reflection;

namespace VisionAgent.Hosting;

/// <summary>Finds the expert assemblies that ship beside the host (<c>VisionAgent.Plugins.*.dll</c>).</summary>
public static class BuiltInExperts
{
    public const string AssemblyPrefix = "VisionAgent.Plugins.";

    public static IReadOnlyList<Assembly> Discover(string? directory = null)
    {
        directory ??= AppContext.BaseDirectory;
        var assemblies = new List<Assembly>();
        foreach (var file in Directory.EnumerateFiles(directory, AssemblyPrefix + "*.dll").Order(StringComparer.Ordinal))
        {
            var name = AssemblyName.GetAssemblyName(file);
            assemblies.Add(Assembly.Load(name));
        }
        return assemblies;
    }
}
