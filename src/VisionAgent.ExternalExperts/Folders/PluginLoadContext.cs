using System.Reflection;
using System.Runtime.Loader;

namespace VisionAgent.ExternalExperts.Folders;

/// <summary>
/// The load context of one code plugin: its own dependencies come from its folder, while the seam, Semantic
/// Kernel and the host's imaging/ONNX stack are shared with the host so their types are the same on both sides.
/// </summary>
public sealed class PluginLoadContext(string assemblyPath) : AssemblyLoadContext(Path.GetFileNameWithoutExtension(assemblyPath), isCollectible: false)
{
    private static readonly string[] SharedPrefixes =
    [
        "VisionAgent.Abstractions", "VisionAgent.Imaging", "VisionAgent.Onnx",
        "Microsoft.SemanticKernel", "Microsoft.Extensions.", "Microsoft.Bcl.", "Microsoft.ML.OnnxRuntime",
        "SixLabors.", "System.", "YamlDotNet",
    ];

    private readonly AssemblyDependencyResolver _resolver = new(assemblyPath);

    public static bool IsShared(string name) => SharedPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal));

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (assemblyName.Name is { } name && IsShared(name)) return null;
        var path = _resolver.ResolveAssemblyToPath(assemblyName);
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }
}
