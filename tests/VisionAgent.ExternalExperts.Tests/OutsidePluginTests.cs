using System.Buffers.Binary;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Security.Cryptography;
using VisionAgent.Cli;
using VisionAgent.Core.Configuration;
using VisionAgent.ExternalExperts.Folders;
using VisionAgent.ExternalExperts.Mcp;
using VisionAgent.Testing;
using Xunit.Abstractions;

namespace VisionAgent.ExternalExperts.Tests;

public sealed class OutsidePluginTests(OutsidePluginFixture plugin, ITestOutputHelper log) : IClassFixture<OutsidePluginFixture>, IDisposable
{
    private readonly PluginTestFiles _files = new();

    [Fact]
    public async Task Plugin_made_outside_the_repository_builds_against_the_packed_seam_passes_its_tests_loads_and_runs()
    {
        foreach (var (step, seconds) in plugin.Timings) log.WriteLine($"{step}: {seconds:0.0} s");
        var config = ConfigLoader.Parse($"plugins: ['{plugin.PluginDirectory.Replace("'", "''", StringComparison.Ordinal)}']\n", "test");
        await using var host = await PluginTestFiles.CreateHostAsync(config, Path.Combine(_files.Root, "out"));
        var image = RepositoryPaths.SampleImage("chelsea.png");
        host.Images.AddInput(image);

        var outcome = await host.Invoker.InvokeAsync("image_hash", new Dictionary<string, string> { ["image"] = "img1" }, null, CancellationToken.None);

        Assert.Contains("Passed!", plugin.PluginTestOutput, StringComparison.Ordinal);
        Assert.Empty(host.External.Plugins.FolderProblems);
        var entry = host.Registry.Experts.Single(e => e.Manifest.Name == "image_hash");
        Assert.Null(entry.LoadError);
        Assert.Equal($"plugin {Path.Combine(plugin.PluginDirectory, "expert.yaml")}", entry.Origin);
        Assert.False(outcome.Failed, outcome.Observation);
        var sha = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(image)));
        Assert.Contains($"sha256 {sha[..16]}", outcome.Observation);
        var pluginType = outcome.Result!.Data!.GetType();
        Assert.Equal("FileFingerprint", pluginType.Name);
        // Declared with [ExpertData], so an MCP client gets an output schema for it.
        var tool = host.Registry.Tools.Single(t => t.Name == "image_hash");
        Assert.Same(pluginType, McpResultSchema.DeclaredType(tool.Function));
        var properties = McpResultSchema.For(pluginType).GetProperty("properties");
        Assert.True(properties.TryGetProperty("sha256", out _), properties.ToString());
        Assert.True(properties.TryGetProperty("bytes", out _), properties.ToString());
        Assert.Null(McpResultSchema.Mismatch(outcome.Result.Data, pluginType));
        Assert.NotSame(System.Runtime.Loader.AssemblyLoadContext.Default, System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(pluginType.Assembly));
        // The plugin compiled against the packed seam and ships no copy of it: the host's own is shared.
        Assert.False(File.Exists(Path.Combine(plugin.PluginDirectory, "bin", "VisionAgent.Abstractions.dll")));
        Assert.Equal(SeamCompatibility.HostVersion, SeamCompatibility.ReadSeamReference(Path.Combine(plugin.PluginDirectory, "bin", "ImageHashExpert.dll")));
    }

    [Fact]
    public void Next_steps_quote_the_folder_with_a_space_for_the_shell()
    {
        Assert.Contains($"dotnet build '{plugin.PluginDirectory}'", plugin.ScaffoldOutput, StringComparison.Ordinal);
        Assert.Contains($"export VISIONAGENT_PLUGINS='{plugin.PluginDirectory}'", plugin.ScaffoldOutput, StringComparison.Ordinal);
        Assert.Contains(plugin.Feed, File.ReadAllText(Path.Combine(plugin.PluginDirectory, "nuget.config")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 0, 1, "newer than")]
    [InlineData(0, 1, 0, "newer than")]
    [InlineData(1, 0, 0, "newer than")]
    [InlineData(0, -1, 0, "of another line than")]
    public async Task Plugin_built_against_another_seam_is_broken_with_both_versions_named(int addMajor, int addMinor, int addPatch, string why)
    {
        var host = SeamCompatibility.HostVersion;
        var other = new Version(host.Major + addMajor, host.Minor + addMinor, host.Build + addPatch);
        var folder = CopyPluginWithSeamReference(other);
        var config = ConfigLoader.Parse($"plugins: ['{folder}']\n", "test");

        await using var agentHost = await PluginTestFiles.CreateHostAsync(config, Path.Combine(_files.Root, "out"));

        var entry = agentHost.Registry.Experts.Single(e => e.Manifest.Name == "image_hash");
        Assert.NotNull(entry.LoadError);
        Assert.Contains($"built against VisionAgent.Abstractions {other.ToString(3)}, {why} this host's {host.ToString(3)}", entry.LoadError, StringComparison.Ordinal);
        Assert.Null(entry.Plugin);
    }

    [Fact]
    public async Task Plugin_list_and_tools_show_the_broken_plugin_with_both_versions()
    {
        var host = SeamCompatibility.HostVersion;
        var newer = new Version(host.Major, host.Minor, host.Build + 1);
        var folder = CopyPluginWithSeamReference(newer);
        var configPath = _files.Write("visionagent.yaml", $"plugins: ['{folder}']\n");

        var list = await RunCliAsync("plugin", "list", "--config", configPath);
        var tools = await RunCliAsync("tools", "--config", configPath);

        Assert.Equal(0, list.Code);
        Assert.Contains($"seam {newer.ToString(3)}", list.Output, StringComparison.Ordinal);
        Assert.Contains($"this host's seam: VisionAgent.Abstractions {host.ToString(3)}", list.Output, StringComparison.Ordinal);
        Assert.Contains("broken", list.Output, StringComparison.Ordinal);
        Assert.Contains($"built against VisionAgent.Abstractions {newer.ToString(3)}, newer than this host's {host.ToString(3)}", string.Join(' ', list.Output.Split(['\n', '\r'], StringSplitOptions.TrimEntries)), StringComparison.Ordinal);
        var json = await RunCliAsync("plugin", "list", "--json", "--config", configPath);
        using var document = System.Text.Json.JsonDocument.Parse(json.Output);
        Assert.Equal(host.ToString(3), document.RootElement.GetProperty("host_seam").GetString());
        var listed = document.RootElement.GetProperty("plugins").EnumerateArray().Single();
        Assert.Equal("broken", listed.GetProperty("status").GetString());
        Assert.Equal(newer.ToString(3), listed.GetProperty("seam").GetString());
        var configured = document.RootElement.GetProperty("folders").EnumerateArray().Single(f => f.GetProperty("origin").GetString() == "config");
        Assert.Equal(folder, configured.GetProperty("path").GetString());
        Assert.Equal(0, tools.Code);
        Assert.Contains("broken", tools.Output, StringComparison.Ordinal);
        Assert.Contains("skipped: built against VisionAgent.Abstractions", tools.Error, StringComparison.Ordinal);
    }

    /// <summary>The built plugin (expert.yaml and bin/) copied, with its assembly's reference to the seam rewritten to <paramref name="seam"/>.</summary>
    private string CopyPluginWithSeamReference(Version seam)
    {
        var folder = Path.Combine(_files.Root, $"seam {seam}", "image_hash");
        Directory.CreateDirectory(Path.Combine(folder, "bin"));
        File.Copy(Path.Combine(plugin.PluginDirectory, "expert.yaml"), Path.Combine(folder, "expert.yaml"));
        foreach (var file in Directory.EnumerateFiles(Path.Combine(plugin.PluginDirectory, "bin")))
            File.Copy(file, Path.Combine(folder, "bin", Path.GetFileName(file)));
        var assembly = Path.Combine(folder, "bin", "ImageHashExpert.dll");
        var bytes = File.ReadAllBytes(assembly);
        int offset;
        using (var pe = new PEReader(new MemoryStream(bytes)))
        {
            var metadata = pe.GetMetadataReader();
            var reference = metadata.AssemblyReferences.Single(h => metadata.GetString(metadata.GetAssemblyReference(h).Name) == SeamCompatibility.SeamAssemblyName);
            // An AssemblyRef row starts with its version: major, minor, build, revision as 16-bit numbers.
            offset = pe.PEHeaders.MetadataStartOffset + metadata.GetTableMetadataOffset(TableIndex.AssemblyRef)
                + ((MetadataTokens.GetRowNumber(reference) - 1) * metadata.GetTableRowSize(TableIndex.AssemblyRef));
        }
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(offset), (ushort)seam.Major);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(offset + 2), (ushort)seam.Minor);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(offset + 4), (ushort)seam.Build);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(offset + 6), 0);
        File.WriteAllBytes(assembly, bytes);
        Assert.Equal(seam, SeamCompatibility.ReadSeamReference(assembly));
        return folder;
    }

    private async Task<(int Code, string Output, string Error)> RunCliAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await CliApp.RunAsync([.. args, "--output", Path.Combine(_files.Root, "cli-out")], output, error, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }

    public void Dispose() => _files.Dispose();
}
