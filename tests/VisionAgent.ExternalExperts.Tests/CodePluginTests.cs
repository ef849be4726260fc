using System.Diagnostics;
using System.Security.Cryptography;
using VisionAgent.Core.Configuration;
using VisionAgent.ExternalExperts.Scaffold;
using VisionAgent.Testing;

namespace VisionAgent.ExternalExperts.Tests;

public sealed class CodePluginTests : IDisposable
{
    private readonly PluginTestFiles _files = new();

    [Fact]
    public async Task Scaffolded_plugin_builds_loads_in_its_own_context_and_runs()
    {
        var folder = Path.Combine(_files.PluginsDirectory, "image_hash");
        PluginScaffold.Write("image_hash", folder, PluginScaffold.FindAbstractions());
        await BuildAsync(Path.Combine(folder, "ImageHashExpert.csproj"));
        var config = ConfigLoader.Parse($"plugins: [\"{_files.PluginsDirectory}\"]\n", "test");
        await using var host = await PluginTestFiles.CreateHostAsync(config, Path.Combine(_files.Root, "out"));
        var image = RepositoryPaths.SampleImage("chelsea.png");
        host.Images.AddInput(image);

        var outcome = await host.Invoker.InvokeAsync("image_hash", new Dictionary<string, string> { ["image"] = "img1" }, null, CancellationToken.None);

        var entry = host.Registry.Experts.Single(e => e.Manifest.Name == "image_hash");
        Assert.Null(entry.LoadError);
        Assert.StartsWith("plugin ", entry.Origin);
        Assert.False(outcome.Failed, outcome.Observation);
        var sha = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(image)));
        Assert.Contains($"sha256 {sha[..16]}", outcome.Observation);
        var pluginType = outcome.Result!.Data!.GetType();
        Assert.NotSame(System.Runtime.Loader.AssemblyLoadContext.Default, System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(pluginType.Assembly));
        // The seam is shared: the plugin's ExpertResult is the host's type, so its Data came through.
        Assert.Equal("FileFingerprint", pluginType.Name);
        Assert.True(File.Exists(Path.Combine(folder, "tests", "ImageHashExpert.Tests", "FileFingerprintTests.cs")));
    }

    [Fact]
    public void Sample_plugin_is_the_scaffold_for_image_hash()
    {
        var sample = Path.Combine(RepositoryPaths.Samples, "plugins", "image_hash");
        var folder = Path.Combine(_files.Root, "scaffold");

        PluginScaffold.Write("image_hash", folder, PluginScaffold.FindAbstractions());

        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith("proj", StringComparison.Ordinal)))
        {
            var relative = Path.GetRelativePath(folder, file);
            Assert.Equal(File.ReadAllText(file), File.ReadAllText(Path.Combine(sample, relative)));
        }
    }

    private static async Task BuildAsync(string project)
    {
        var start = new ProcessStartInfo("dotnet", ["build", project, "-nologo", "-v", "q"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"dotnet build failed:\n{await output}\n{await error}");
    }

    public void Dispose() => _files.Dispose();
}
