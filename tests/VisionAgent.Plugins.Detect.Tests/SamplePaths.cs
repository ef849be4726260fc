namespace VisionAgent.Plugins.Detect.Tests;

internal static class SamplePaths
{
    public static string Image(string name) => Path.Combine(RepositoryRoot(), "samples", "images", name);

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "VisionAgent.sln")))
            directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("VisionAgent.sln not found above the test folder");
    }
}
