using System.Diagnostics;
using VisionAgent.Cli;
using VisionAgent.Testing;

namespace VisionAgent.ExternalExperts.Tests;

/// <summary>
/// A code plugin made as a user outside this repository makes one: the seam packed into a local feed,
/// <c>visionagent plugin new</c> into a folder whose path has a space, then <c>dotnet build</c> and
/// <c>dotnet test</c> there with no online source (packages come from the machine's package cache, the seam only
/// from the feed) and an empty package folder of its own, so a seam restored earlier cannot stand in for the packed one.
/// Built once per test run: it takes tens of seconds.
/// </summary>
public sealed class OutsidePluginFixture : IAsyncLifetime
{
    public OutsidePluginFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "va outside " + Guid.NewGuid().ToString("N")[..8]);
        Feed = Path.Combine(Root, "feed");
        PluginDirectory = Path.Combine(Root, "my plugins", "image_hash");
    }

    public string Root { get; }

    public string Feed { get; }

    public string PluginDirectory { get; }

    /// <summary>What <c>plugin new</c> printed.</summary>
    public string ScaffoldOutput { get; private set; } = "";

    /// <summary>The output of the plugin's own <c>dotnet test</c>.</summary>
    public string PluginTestOutput { get; private set; } = "";

    /// <summary>Seconds each step took (wall clock), in order.</summary>
    public List<(string Step, double Seconds)> Timings { get; } = [];

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Root);
        var packages = Path.Combine(Root, "nuget-packages");
        var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = packages };
        var cache = await TimedAsync("find the package cache", () => PackageCacheAsync());

        await TimedAsync("dotnet pack VisionAgent.Abstractions", () => DotnetAsync(RepositoryPaths.Root, environment,
            "pack", Path.Combine(RepositoryPaths.Root, "src", "VisionAgent.Abstractions", "VisionAgent.Abstractions.csproj"),
            "-c", PluginTestFiles.BuildConfiguration, "--no-build", "-o", Feed, "-nologo"));

        ScaffoldOutput = await TimedAsync("visionagent plugin new", async () =>
        {
            var output = new StringWriter();
            var error = new StringWriter();
            var code = await CliApp.RunAsync(["plugin", "new", "image_hash", "--output", PluginDirectory, "--feed", Feed], output, error, CancellationToken.None);
            if (code != 0) throw new InvalidOperationException($"plugin new exited {code}: {error}");
            return output.ToString();
        });

        // Above the plugin folder: no online source at all; the plugin's own nuget.config adds the feed.
        await File.WriteAllTextAsync(Path.Combine(Root, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="machine-cache" value="{System.Security.SecurityElement.Escape(cache)}" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="machine-cache"><package pattern="*" /></packageSource>
                <packageSource key="{Scaffold.PluginScaffold.FeedKey}"><package pattern="VisionAgent.Abstractions" /></packageSource>
              </packageSourceMapping>
            </configuration>
            """);

        await TimedAsync("dotnet build (plugin)", () => DotnetAsync(PluginDirectory, environment, "build", PluginDirectory, "-nologo"));
        PluginTestOutput = await TimedAsync("dotnet test (plugin's tests)", () => DotnetAsync(PluginDirectory, environment,
            "test", Path.Combine(PluginDirectory, "tests", "ImageHashExpert.Tests"), "-nologo"));
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A build server that just exited may still hold a file for a moment; the temp folder is cleaned later.
        }
        return Task.CompletedTask;
    }

    private async Task<T> TimedAsync<T>(string step, Func<Task<T>> run)
    {
        var clock = Stopwatch.StartNew();
        var result = await run();
        Timings.Add((step, clock.Elapsed.TotalSeconds));
        return result;
    }

    private static async Task<string> PackageCacheAsync()
    {
        var listing = await DotnetAsync(Path.GetTempPath(), new Dictionary<string, string>(), "nuget", "locals", "global-packages", "--list");
        var line = listing.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("global-packages:", StringComparison.Ordinal));
        return line["global-packages:".Length..].Trim();
    }

    private static async Task<string> DotnetAsync(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (key, value) in environment) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} did not finish in 10 minutes");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"dotnet {string.Join(' ', arguments)} exited {process.ExitCode}:\n{await output}\n{await error}");
        return await output;
    }
}
