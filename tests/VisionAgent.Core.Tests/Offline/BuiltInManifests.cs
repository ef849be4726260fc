using System.Reflection;
using Microsoft.SemanticKernel;
using VisionAgent.Abstractions;
using VisionAgent.Core.Experts;
using VisionAgent.Testing;

namespace VisionAgent.Core.Tests.Offline;

/// <summary>
/// The built-in experts' real manifests (plugins/*/expert.yaml), each behind functions with the real names and
/// parameters that record their arguments instead of running models: routing and argument extraction are measured
/// on what ships.
/// </summary>
public static class BuiltInManifests
{
    private static readonly Assembly[] PluginAssemblies =
    [
        typeof(Plugins.Edit.EditPlugin).Assembly, typeof(Plugins.Ocr.OcrPlugin).Assembly, typeof(Plugins.Detect.DetectPlugin).Assembly,
        typeof(Plugins.Segment.SegmentPlugin).Assembly, typeof(Plugins.Caption.CaptionPlugin).Assembly, typeof(Plugins.ImageInfo.ImageInfoPlugin).Assembly,
    ];

    public static IReadOnlyList<ExpertManifest> Read() =>
        Directory.GetDirectories(Path.Combine(RepositoryPaths.Root, "plugins"), "VisionAgent.Plugins.*")
            .Select(folder => Path.Combine(folder, "expert.yaml"))
            .Where(File.Exists)
            .Order(StringComparer.Ordinal)
            .Select(ExpertManifestReader.ReadFile)
            .ToList();

    /// <summary>A planner fixture over <see cref="Recording"/> entries with the sample images attached.</summary>
    public static PlannerFixture RecordingFixture(List<(string Tool, IReadOnlyDictionary<string, string> Arguments)> calls, params string[] images) =>
        PlannerFixture.WithImages(_ => Recording(calls), images);

    /// <summary>Entries whose every function records (tool, arguments) into <paramref name="calls"/> and answers with a fixed text.</summary>
    public static IEnumerable<ExpertEntry> Recording(List<(string Tool, IReadOnlyDictionary<string, string> Arguments)> calls)
    {
        foreach (var manifest in Read())
        {
            var functions = manifest.Routing.Select(r => r.Function ?? manifest.Name).Distinct(StringComparer.Ordinal)
                .Select(name => KernelFunctionFactory.CreateFromMethod(
                    (KernelArguments arguments) =>
                    {
                        var tool = name == manifest.Name ? name : $"{manifest.Name}.{name}";
                        calls.Add((tool, arguments.ToDictionary(a => a.Key, a => a.Value?.ToString() ?? "", StringComparer.OrdinalIgnoreCase)));
                        return new ExpertResult { Observation = $"{tool} done" };
                    },
                    functionName: name,
                    description: null,
                    parameters: ParametersOf(name)))
                .ToList();
            // Without model files, so that no expert counts as missing its weights.
            yield return new ExpertEntry(new ExpertManifest { Name = manifest.Name, Description = manifest.Description, Routing = manifest.Routing },
                KernelPluginFactory.CreateFromFunctions(manifest.Name, functions), "test");
        }
    }

    /// <summary>The parameters of the built-in [KernelFunction] of that name, read from the plugin assemblies.</summary>
    private static List<KernelParameterMetadata> ParametersOf(string function)
    {
        var method = PluginAssemblies.SelectMany(a => a.GetTypes()).SelectMany(t => t.GetMethods())
            .First(m => m.GetCustomAttribute<KernelFunctionAttribute>()?.Name == function);
        return method.GetParameters()
            .Where(p => p.ParameterType != typeof(CancellationToken))
            .Select(p => new KernelParameterMetadata(p.Name!) { ParameterType = p.ParameterType, IsRequired = !p.HasDefaultValue, DefaultValue = p.HasDefaultValue ? p.DefaultValue : null })
            .ToList();
    }
}
