using System.IO.Compression;
using System.Text.Json;
using System.Xml.Linq;
using VisionAgent.Testing;
using Xunit.Abstractions;

namespace VisionAgent.Cli.Tests.Installing;

/// <summary>The packed and installed tool works from a folder that has nothing to do with this checkout.</summary>
public sealed class InstalledToolTests(InstalledTool tool, ITestOutputHelper log) : IClassFixture<InstalledTool>
{
    [Fact]
    public void Pack_writes_a_pointer_package_and_one_platform_package_without_other_platforms_or_native_symbols()
    {
        log.WriteLine($"pack {tool.Pack.Elapsed.TotalSeconds:F1} s, install {tool.Install.Elapsed.TotalSeconds:F1} s");
        var pointer = Path.Combine(tool.Feed, $"visionagent.{InstalledTool.Version}.nupkg");
        var platform = Path.Combine(tool.Feed, $"visionagent.{InstalledTool.Platform}.{InstalledTool.Version}.nupkg");
        Assert.True(File.Exists(pointer), string.Join(", ", Directory.GetFiles(tool.Feed).Select(Path.GetFileName)));
        Assert.True(File.Exists(platform), string.Join(", ", Directory.GetFiles(tool.Feed).Select(Path.GetFileName)));

        using (var package = ZipFile.OpenRead(pointer))
        {
            var settings = package.Entries.Single(e => e.FullName.EndsWith("DotnetToolSettings.xml", StringComparison.Ordinal));
            using var stream = settings.Open();
            var document = XDocument.Load(stream);
            Assert.Equal("visionagent", document.Descendants("Command").Single().Attribute("Name")?.Value);
            Assert.Contains(document.Descendants("RuntimeIdentifierPackage"),
                p => p.Attribute("RuntimeIdentifier")?.Value == InstalledTool.Platform && p.Attribute("Id")?.Value == $"visionagent.{InstalledTool.Platform}");
            Assert.DoesNotContain(package.Entries, e => e.FullName.EndsWith(".dll", StringComparison.Ordinal));
        }

        using (var package = ZipFile.OpenRead(platform))
        {
            var files = package.Entries.Select(e => e.FullName).ToList();
            var root = $"tools/net10.0/{InstalledTool.Platform}/";
            Assert.Contains(root + "visionagent.dll", files);
            Assert.Contains(files, f => f.StartsWith(root, StringComparison.Ordinal) && f.Contains("onnxruntime", StringComparison.Ordinal));
            Assert.DoesNotContain(files, f => f.Contains("/runtimes/", StringComparison.Ordinal));
            Assert.DoesNotContain(files, f => f.EndsWith(".dbg", StringComparison.Ordinal) || f.EndsWith(".lib", StringComparison.Ordinal)
                || (f.EndsWith(".pdb", StringComparison.Ordinal) && !Path.GetFileName(f).StartsWith("VisionAgent.", StringComparison.Ordinal) && Path.GetFileName(f) != "visionagent.pdb"));
            foreach (var prompt in Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "prompts"), "*.yaml"))
                Assert.Contains(root + "prompts/" + Path.GetFileName(prompt), files);
        }
    }

    [Fact]
    public async Task Tools_lists_every_built_in_expert_from_an_unrelated_folder()
    {
        var folder = tool.NewFolder("elsewhere");

        var installed = await tool.RunAsync(folder, tool.NewFolder("home"), "tools", "--json");
        var inProcess = await CliRunner.RunAsync("tools", "--json");

        Assert.True(installed.ExitCode == 0, installed.ToString());
        Assert.Equal(0, inProcess.ExitCode);
        Assert.Equal(BuiltInExperts(inProcess.Output), BuiltInExperts(installed.Output));
        Assert.Contains("image_info", BuiltInExperts(installed.Output));
        using var document = JsonDocument.Parse(installed.Output);
        var imageInfo = document.RootElement.EnumerateArray().Single(e => e.GetProperty("name").GetString() == "image_info");
        Assert.Equal("ready", imageInfo.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Tool_image_info_reads_an_image_relative_to_an_unrelated_folder()
    {
        var folder = tool.NewFolder("elsewhere");
        File.Copy(RepositoryPaths.SampleImage("chelsea.png"), Path.Combine(folder, "cat picture.png"));

        var run = await tool.RunAsync(folder, tool.NewFolder("home"), "tool", "image_info", "--image", "cat picture.png", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        using var document = JsonDocument.Parse(run.Output);
        Assert.True(document.RootElement.GetProperty("ok").GetBoolean());
        var data = document.RootElement.GetProperty("data");
        Assert.Equal("PNG", data.GetProperty("format").GetString());
        Assert.Equal(451, data.GetProperty("width").GetInt32());
        Assert.Equal(300, data.GetProperty("height").GetInt32());
    }

    [Fact]
    public async Task A_missing_image_is_one_error_line_and_exit_3()
    {
        var folder = tool.NewFolder("elsewhere");

        var run = await tool.RunAsync(folder, tool.NewFolder("home"), "tool", "image_info", "--image", "no-such.png");

        Assert.Equal(3, run.ExitCode);
        var line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error:", line, StringComparison.Ordinal);
        Assert.Contains("no-such.png", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ask_with_the_offline_planner_uses_the_packed_prompts_and_keeps_its_session_in_the_data_folder()
    {
        var folder = tool.NewFolder("elsewhere");
        var home = tool.NewFolder("home");
        File.Copy(RepositoryPaths.SampleImage("chelsea.png"), Path.Combine(folder, "chelsea.png"));

        var run = await tool.RunAsync(folder, home, "ask", "--image", "chelsea.png", "--json", "How wide is this image in pixels?");

        Assert.True(run.ExitCode == 0, run.ToString());
        using var document = JsonDocument.Parse(run.Output);
        Assert.Contains("451x300", document.RootElement.GetProperty("answer").GetString(), StringComparison.Ordinal);
        // The sentence-embedding model travels inside the package: the planner did not fall back to keywords.
        Assert.Contains("MiniLM", document.RootElement.GetProperty("llm").GetProperty("model").GetString(), StringComparison.Ordinal);
        Assert.Single(Directory.GetFiles(Path.Combine(home, "sessions"), "*", SearchOption.AllDirectories), f => f.EndsWith(".jsonl", StringComparison.Ordinal));
        Assert.Equal(["chelsea.png"], Directory.GetFileSystemEntries(folder).Select(Path.GetFileName));
    }

    private static List<string> BuiltInExperts(string toolsJson)
    {
        using var document = JsonDocument.Parse(toolsJson);
        return [.. document.RootElement.EnumerateArray()
            .Where(e => e.GetProperty("origin").GetString() == "built-in")
            .Select(e => e.GetProperty("name").GetString()!)
            .Order(StringComparer.Ordinal)];
    }
}
