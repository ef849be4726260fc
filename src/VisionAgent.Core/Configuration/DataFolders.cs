namespace VisionAgent.Core.Configuration;

/// <summary>Where VisionAgent keeps its data: <c>VISIONAGENT_HOME</c>, else <c>~/.visionagent</c>.</summary>
public static class DataFolders
{
    public static string Home(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var home = environment("VISIONAGENT_HOME");
        if (!string.IsNullOrWhiteSpace(home)) return Path.GetFullPath(home);
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".visionagent");
    }

    public static string Sessions(string home) => Path.Combine(home, "sessions");

    public static string Models(VisionAgentConfig config, string home) =>
        config.ModelsDir is { Length: > 0 } dir ? Path.GetFullPath(dir) : Path.Combine(home, "models");
}
