using System.Reflection;
using Microsoft.SemanticKernel;
using VisionAgent.Abstractions;
using VisionAgent.Core.Experts;

namespace VisionAgent.ExternalExperts.Folders;

/// <summary>One <c>*/expert.yaml</c> found in a plugin folder: its manifest, or why it could not be read.</summary>
public sealed record PluginCandidate(string ManifestPath, PluginManifest? Plugin, string? Error);

/// <summary>A folder the user named that gives no plugin, and why; <c>visionagent plugin list</c> shows it and the host warns.</summary>
public sealed record PluginFolderProblem(PluginFolder Folder, string Reason)
{
    public string Message => $"{Folder.Describe()}: {Reason}";
}

/// <summary>
/// The plugins found in the plugin folders. Scanning never throws: a manifest that cannot be read becomes a
/// broken expert that <c>visionagent tools</c> reports, and a named folder that holds no plugin becomes a
/// <see cref="PluginFolderProblem"/>.
/// </summary>
public sealed class PluginCatalog
{
    private PluginCatalog(IReadOnlyList<PluginCandidate> candidates, IReadOnlyList<PluginFolderProblem> folderProblems)
    {
        Candidates = candidates;
        FolderProblems = folderProblems;
    }

    public IReadOnlyList<PluginCandidate> Candidates { get; }

    public IReadOnlyList<PluginFolderProblem> FolderProblems { get; }

    public static PluginCatalog Empty { get; } = new([], []);

    /// <summary>
    /// Reads the plugins in each folder: the folder itself when it holds <c>expert.yaml</c>, else every
    /// <c>*/expert.yaml</c> below it. Built-in experts' own source folders (same name, with a .csproj) are skipped.
    /// </summary>
    public static PluginCatalog Scan(IEnumerable<PluginFolder> folders, IReadOnlySet<string> builtInNames)
    {
        var candidates = new List<PluginCandidate>();
        var problems = new List<PluginFolderProblem>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var folder in folders)
        {
            if (!Directory.Exists(folder.Path))
            {
                if (folder.NamedByUser) problems.Add(new PluginFolderProblem(folder, File.Exists(folder.Path) ? "is a file, not a folder" : "does not exist"));
                continue;
            }
            IReadOnlyList<string> pluginDirectories;
            try
            {
                pluginDirectories = File.Exists(Path.Combine(folder.Path, "expert.yaml"))
                    ? [folder.Path]
                    : Directory.EnumerateDirectories(folder.Path).Order(StringComparer.Ordinal).Where(d => File.Exists(Path.Combine(d, "expert.yaml"))).ToList();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                problems.Add(new PluginFolderProblem(folder, $"cannot be read: {ex.Message}"));
                continue;
            }
            if (pluginDirectories.Count == 0 && folder.NamedByUser)
                problems.Add(new PluginFolderProblem(folder, "holds no expert.yaml, neither itself nor in a subfolder: name a plugin folder or a folder of plugin folders"));
            foreach (var directory in pluginDirectories)
            {
                var path = Path.GetFullPath(Path.Combine(directory, "expert.yaml"));
                if (!seen.Add(path)) continue;
                try
                {
                    var plugin = PluginManifest.Read(path);
                    var isBuiltInSource = builtInNames.Contains(plugin.Manifest.Name) && Directory.EnumerateFiles(directory, "*.csproj").Any();
                    if (!isBuiltInSource) candidates.Add(new PluginCandidate(path, plugin, null));
                }
                catch (Exception ex) when (ex is VisionAgentException or IOException or UnauthorizedAccessException)
                {
                    candidates.Add(new PluginCandidate(path, null, ex.Message));
                }
            }
        }
        return new PluginCatalog(candidates, problems);
    }

    /// <summary>Model files that sit in a plugin's folder (expert, model name, absolute path): the host uses them before its cache.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> LocalModelFiles()
    {
        var result = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var plugin in Candidates.Select(c => c.Plugin).OfType<PluginManifest>())
        {
            var files = plugin.Manifest.Models
                .Select(m => (m.Name, Path: plugin.Resolve(m.File)))
                .Where(m => File.Exists(m.Path))
                .ToDictionary(m => m.Name, m => m.Path, StringComparer.OrdinalIgnoreCase);
            if (files.Count > 0) result[plugin.Manifest.Name] = files;
        }
        return result;
    }

    /// <summary>Creates the experts; each failure (unknown kind, missing assembly, throwing constructor) becomes a broken entry.</summary>
    public IEnumerable<ExpertEntry> CreateEntries(Func<ExpertManifest, ExpertContext> contextFactory, ExpertKinds kinds)
    {
        foreach (var candidate in Candidates)
        {
            var origin = $"plugin {candidate.ManifestPath}";
            if (candidate.Plugin is not { } plugin)
            {
                yield return new ExpertEntry(new ExpertManifest { Name = NameFromFolder(candidate.ManifestPath), Description = "(unreadable manifest)" }, null, origin, candidate.Error);
                continue;
            }
            yield return string.Equals(plugin.Manifest.Kind, ExpertKinds.Code, StringComparison.OrdinalIgnoreCase) && plugin.Remote.Count == 0
                ? CreateCodeEntry(plugin, contextFactory, origin)
                : CreateManifestEntry(plugin, contextFactory, kinds, origin);
        }
    }

    private static ExpertEntry CreateManifestEntry(PluginManifest plugin, Func<ExpertManifest, ExpertContext> contextFactory, ExpertKinds kinds, string origin)
    {
        try
        {
            var instance = kinds.CreatePlugin(plugin, contextFactory(plugin.Manifest));
            return new ExpertEntry(plugin.Manifest, KernelPluginFactory.CreateFromObject(instance, plugin.Manifest.Name), origin);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A broken plugin is reported by `tools` and skipped, never fatal.
            return new ExpertEntry(plugin.Manifest, null, origin, Describe(ex));
        }
    }

    private static ExpertEntry CreateCodeEntry(PluginManifest plugin, Func<ExpertManifest, ExpertContext> contextFactory, string origin)
    {
        if (string.IsNullOrWhiteSpace(plugin.Manifest.Assembly))
            return new ExpertEntry(plugin.Manifest, null, origin, "kind: code needs 'assembly: bin/Plugin.dll' (relative to expert.yaml)");
        var assemblyPath = plugin.Resolve(plugin.Manifest.Assembly);
        if (!File.Exists(assemblyPath))
            return new ExpertEntry(plugin.Manifest, null, origin, $"assembly not found: {assemblyPath} (build the plugin first)");
        // Checked from metadata before loading: a plugin built against another seam must not get as far as a type load error.
        if (SeamCompatibility.Check(assemblyPath) is { } incompatible)
            return new ExpertEntry(plugin.Manifest, null, origin, incompatible);
        Assembly assembly;
        try
        {
            assembly = new PluginLoadContext(assemblyPath).LoadFromAssemblyPath(assemblyPath);
        }
        catch (Exception ex) when (ex is BadImageFormatException or FileLoadException or IOException)
        {
            return new ExpertEntry(plugin.Manifest, null, origin, Describe(ex));
        }
        Type[] types;
        try
        {
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            return new ExpertEntry(plugin.Manifest, null, origin, $"cannot load its types: {ex.LoaderExceptions.FirstOrDefault()?.Message.Split('\n')[0]}");
        }
        var modules = types.Where(t => typeof(IExpertModule).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false, IsPublic: true }).ToList();
        if (modules.Count != 1)
            return new ExpertEntry(plugin.Manifest, null, origin, $"{Path.GetFileName(assemblyPath)} must hold exactly one public IExpertModule (found {modules.Count})");
        return ExpertRegistry.CreateEntry(modules[0], assembly, contextFactory, origin, plugin.Manifest);
    }

    private static string Describe(Exception ex)
    {
        var inner = ex is TargetInvocationException { InnerException: { } i } ? i : ex;
        return inner is VisionAgentException ? inner.Message : $"{inner.GetType().Name}: {inner.Message.Split('\n')[0]}";
    }

    private static string NameFromFolder(string manifestPath)
    {
        var folder = Path.GetFileName(Path.GetDirectoryName(manifestPath)) ?? "plugin";
        var name = new string(folder.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());
        return ExpertManifestReader.IsToolName(name) ? name : "plugin_" + name;
    }
}
