using System.Reflection;
using System.Runtime.InteropServices;
using VisionAgent.Testing;

namespace VisionAgent.Cli.Tests.Installing;

/// <summary>
/// The CLI as a user gets it: packed from this checkout into a temporary feed (for this machine's platform only, so
/// one package is built) and installed with <c>dotnet tool install --tool-path</c> from that feed alone, through a
/// NuGet configuration that clears every other source. Packing and installing happen once for the test class.
/// </summary>
public sealed class InstalledTool : IAsyncLifetime
{
    private static readonly TimeSpan PackLimit = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan InstallLimit = TimeSpan.FromMinutes(3);

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("visionagent-tool-test-");

    public string Feed => Path.Combine(_root.FullName, "feed");
    public string ToolPath => Path.Combine(_root.FullName, "tools");
    public string Command => Path.Combine(ToolPath, OperatingSystem.IsWindows() ? "visionagent.exe" : "visionagent");

    /// <summary>The platform the tool was packed for, as the package names it (linux-x64, osx-arm64, ...).</summary>
    public static string Platform { get; } =
        (OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux") + "-" +
        RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant();

    /// <summary>The package version: every project of the solution shares one version, this test assembly included.</summary>
    public static string Version { get; } =
        (typeof(InstalledTool).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? throw new InvalidOperationException("the test assembly has no informational version")).Split('+')[0];

    public ChildProcess.Result Pack { get; private set; } = null!;
    public ChildProcess.Result Install { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // The same configuration the tests were built with, so the projects the CLI references are already built.
        var configuration = typeof(InstalledTool).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        var project = Path.Combine(RepositoryPaths.Root, "src", "VisionAgent.Cli", "VisionAgent.Cli.csproj");
        Pack = await Dotnet(
            ["pack", project, "-c", configuration, "-o", Feed, "-nologo", "-v", "q", "-nodeReuse:false",
             "-p:UseSharedCompilation=false", $"-p:ToolPackageRuntimeIdentifiers={Platform}"],
            PackLimit);
        if (Pack.ExitCode != 0) throw new InvalidOperationException($"dotnet pack failed: {Pack}");

        var config = Path.Combine(_root.FullName, "nuget.config");
        await File.WriteAllTextAsync(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="visionagent-test-feed" value="{Feed}" />
              </packageSources>
            </configuration>
            """);
        Install = await Dotnet(["tool", "install", "visionagent", "--tool-path", ToolPath, "--configfile", config], InstallLimit);
        if (Install.ExitCode != 0) throw new InvalidOperationException($"dotnet tool install failed: {Install}");
    }

    /// <summary>Runs the installed command in <paramref name="workingDirectory"/> with its own data folder.</summary>
    public Task<ChildProcess.Result> RunAsync(string workingDirectory, string home, params string[] arguments)
    {
        var environment = new Dictionary<string, string?>
        {
            ["VISIONAGENT_HOME"] = home,
            // The tool runs on the runtime these tests run on, wherever the SDK is installed.
            ["DOTNET_ROOT"] = DotnetRoot,
            ["VISIONAGENT_CONFIG"] = null,
            ["VISIONAGENT_LLM_ENDPOINT"] = null,
            ["VISIONAGENT_LLM_API_KEY"] = null,
            ["VISIONAGENT_LLM_MODEL"] = null,
            ["VISIONAGENT_LLM_PROVIDER"] = null,
        };
        return ChildProcess.RunAsync(Command, arguments, workingDirectory, environment, TimeSpan.FromMinutes(2));
    }

    /// <summary>A fresh empty folder under this fixture's temporary folder.</summary>
    public string NewFolder(string name) => Directory.CreateDirectory(Path.Combine(_root.FullName, name + "-" + Guid.NewGuid().ToString("N")[..8])).FullName;

    public Task DisposeAsync()
    {
        _root.Delete(recursive: true);
        return Task.CompletedTask;
    }

    private static string DotnetRoot =>
        Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));

    private Task<ChildProcess.Result> Dotnet(IEnumerable<string> arguments, TimeSpan limit) =>
        ChildProcess.RunAsync("dotnet", arguments, _root.FullName, new Dictionary<string, string?>
        {
            ["MSBUILDDISABLENODEREUSE"] = "1",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
        }, limit);
}
