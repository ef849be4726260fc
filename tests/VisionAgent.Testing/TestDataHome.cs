namespace VisionAgent.Testing;

/// <summary>
/// Gives a test process its own <c>VISIONAGENT_HOME</c> (session logs, produced images) under the temporary folder,
/// deleted when the process exits, so no test writes into the user's data folder. The model cache stays the user's
/// (<c>VISIONAGENT_MODELS</c>, or the default under the real home) so real models are fetched once.
/// </summary>
public static class TestDataHome
{
    private static readonly Lock Gate = new();
    private static string? _folder;

    /// <summary>The process's temporary data folder, created on the first call.</summary>
    public static string Use()
    {
        lock (Gate)
        {
            if (_folder is not null) return _folder;
            if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("VISIONAGENT_MODELS")))
            {
                var realHome = Environment.GetEnvironmentVariable("VISIONAGENT_HOME") is { Length: > 0 } configured
                    ? configured
                    : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".visionagent");
                Environment.SetEnvironmentVariable("VISIONAGENT_MODELS", Path.Combine(realHome, "models"));
            }
            var folder = Directory.CreateTempSubdirectory("visionagent-test-home-").FullName;
            Environment.SetEnvironmentVariable("VISIONAGENT_HOME", folder);
            AppDomain.CurrentDomain.ProcessExit += (_, _) => Delete(folder);
            _folder = folder;
            return folder;
        }
    }

    private static void Delete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A child process may still hold a file at exit; the folder is under the temporary folder anyway.
        }
    }
}
