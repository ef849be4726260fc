using System.Diagnostics;
using VisionAgent.Testing;

namespace VisionAgent.Cli.Tests.Chat;

/// <summary>The built CLI started as a child process in the repository root with its own data folder.</summary>
public sealed class CliProcess : IDisposable
{
    private CliProcess(Process process, string home)
    {
        Process = process;
        Home = home;
    }

    public Process Process { get; }
    public string Home { get; }

    public static CliProcess Start(string home, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepositoryPaths.Root,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "visionagent.dll"));
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.Environment["VISIONAGENT_HOME"] = home;
        foreach (var name in new[] { "VISIONAGENT_LLM_ENDPOINT", "VISIONAGENT_LLM_API_KEY", "VISIONAGENT_LLM_MODEL", "VISIONAGENT_LLM_PROVIDER", "VISIONAGENT_CONFIG" })
            info.Environment.Remove(name);
        return new CliProcess(Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start"), home);
    }

    public void Dispose()
    {
        if (!Process.HasExited) Process.Kill(entireProcessTree: true);
        Process.Dispose();
    }
}
