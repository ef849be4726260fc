using VisionAgent.Core.Configuration;

namespace VisionAgent.ExternalExperts.Folders;

/// <summary>Who named a plugin folder: a folder the user named is reported when it holds no plugin, the implicit <c>plugins/</c> is not.</summary>
public enum PluginFolderOrigin
{
    WorkingDirectory,
    Config,
    Environment,
}

/// <summary>A folder to scan for plugins: a plugin folder itself (it holds <c>expert.yaml</c>) or a folder of plugin folders.</summary>
public sealed record PluginFolder(string Path, PluginFolderOrigin Origin)
{
    public bool NamedByUser => Origin != PluginFolderOrigin.WorkingDirectory;

    public string Describe() => Origin switch
    {
        PluginFolderOrigin.Config => $"plugins: entry {Path}",
        PluginFolderOrigin.Environment => $"{PluginFolders.EnvironmentVariable} entry {Path}",
        _ => Path,
    };
}

/// <summary>The folders scanned for plugins: <c>plugins/</c> in the working directory, <c>plugins:</c> in visionagent.yaml, and <c>VISIONAGENT_PLUGINS</c>.</summary>
public static class PluginFolders
{
    public const string EnvironmentVariable = "VISIONAGENT_PLUGINS";

    /// <summary>Every folder named, absolute and without repeats; folders that do not exist are kept so the scan can say so.</summary>
    public static IReadOnlyList<PluginFolder> Resolve(VisionAgentConfig config, string? workingDirectory = null, string? environmentValue = null)
    {
        workingDirectory ??= Directory.GetCurrentDirectory();
        environmentValue ??= Environment.GetEnvironmentVariable(EnvironmentVariable);
        var folders = new List<PluginFolder> { new(Path.Combine(workingDirectory, "plugins"), PluginFolderOrigin.WorkingDirectory) };
        folders.AddRange(config.Plugins.Select(p => new PluginFolder(Absolute(workingDirectory, p), PluginFolderOrigin.Config)));
        if (!string.IsNullOrWhiteSpace(environmentValue))
        {
            folders.AddRange(environmentValue.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(p => new PluginFolder(Absolute(workingDirectory, p), PluginFolderOrigin.Environment)));
        }
        return folders
            .Select(f => f with { Path = Path.TrimEndingDirectorySeparator(Path.GetFullPath(f.Path)) })
            .DistinctBy(f => f.Path, StringComparer.Ordinal)
            .ToList();
    }

    private static string Absolute(string workingDirectory, string path) => Path.GetFullPath(Path.Combine(workingDirectory, ExpandHome(path)));

    private static string ExpandHome(string path) =>
        path.StartsWith('~') ? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) + path[1..] : path;
}
