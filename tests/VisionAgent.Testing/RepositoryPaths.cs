namespace VisionAgent.Testing;

/// <summary>
/// Paths inside the repository checkout, found by walking up from the running assembly to VisionAgent.sln,
/// so tests and benchmarks reach samples/ wherever their output folder is.
/// </summary>
public static class RepositoryPaths
{
    private const string SolutionFile = "VisionAgent.sln";

    private static readonly Lazy<string> FoundRoot = new(FindRoot);

    /// <summary>The folder holding VisionAgent.sln.</summary>
    public static string Root => FoundRoot.Value;

    /// <summary>samples/</summary>
    public static string Samples => Path.Combine(Root, "samples");

    /// <summary>samples/images/</summary>
    public static string SampleImages => Path.Combine(Samples, "images");

    /// <summary>samples/tasks/</summary>
    public static string SampleTasks => Path.Combine(Samples, "tasks");

    /// <summary>samples/cassettes/</summary>
    public static string SampleCassettes => Path.Combine(Samples, "cassettes");

    /// <summary>A file in samples/images/, such as chelsea.png.</summary>
    public static string SampleImage(string name) => Path.Combine(SampleImages, name);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, SolutionFile))) return directory.FullName;
        }
        throw new InvalidOperationException($"{SolutionFile} not found above {AppContext.BaseDirectory}");
    }
}
