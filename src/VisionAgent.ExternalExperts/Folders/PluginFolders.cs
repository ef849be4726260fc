using VisionAgent.Core.Configuration;

namespace VisionAgent.ExternalExperts.Folders;

/// <summary>The folders scanned for plugins: <c>plugins/</c> in the working directory, <c>plugins:</c> in visionagent.yaml, and <c>VISIONAGENT_PLUGINS</c>.</summary>
public static class PluginFolders
{
    public const string EnvironmentVariable = "VISIONAGENT_PLUGINS";

    public static IReadOnlyList<string> Resolve(VisionAgentConfig config, string? workingDirectory = null, string? environmentValue = null)
    {
        workingDirectory ??= Directory.GetCurrentDirectory();
        environmentValue ??= Environment.GetEnvironmentVariable(EnvironmentVariable);
        var folders = new List<string> { Path.Combine(workingDirectory, "plugins") };
        folders.AddRange(config.Plugins.Select(p => Path.GetFullPath(Path.Combine(workingDirectory, ExpandHome(p)))));
        if (!string.IsNullOrWhiteSpace(environmentValue))
        {
            folders.AddRange(environmentValue.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(p => Path.GetFullPath(Path.Combine(workingDirectory, ExpandHome(p)))));
        }
        return folders.Select(Path.GetFullPath).Distinct(StringComparer.Ordinal).Where(Directory.Exists).ToList();
    }

    private static string ExpandHome(string path) =>
        path.StartsWith('~') ? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) + path[1..] : path;
}
