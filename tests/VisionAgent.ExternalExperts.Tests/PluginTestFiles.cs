using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using VisionAgent.Core.Agent;
using VisionAgent.Core.Configuration;
using VisionAgent.Hosting;
using VisionAgent.Testing;
using VisionAgent.Testing.Onnx;

namespace VisionAgent.ExternalExperts.Tests;

/// <summary>A temporary folder with plugin folders, images and configs, plus the paths of the repository and the built CLI.</summary>
public sealed class PluginTestFiles : IDisposable
{
    public PluginTestFiles()
    {
        Root = Path.Combine(Path.GetTempPath(), "va-plugins-" + Guid.NewGuid().ToString("N")[..8]);
        PluginsDirectory = Path.Combine(Root, "plugins");
        Directory.CreateDirectory(PluginsDirectory);
    }

    public string Root { get; }

    public string PluginsDirectory { get; }

    /// <summary>The configuration this test project was built in (it runs from tests/X/bin/{Configuration}/net10.0).</summary>
    public static string BuildConfiguration => new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    /// <summary>The CLI built with this test project (same configuration).</summary>
    public static string CliDll => Path.Combine(RepositoryPaths.Root, "src", "VisionAgent.Cli", "bin", BuildConfiguration, "net10.0", "visionagent.dll");

    public string Write(string relative, string text)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>A solid-colour PNG.</summary>
    public string SolidImage(string name, byte r, byte g, byte b, int size = 4)
    {
        var path = Path.Combine(Root, name);
        using var image = new Image<Rgb24>(size, size, new Rgb24(r, g, b));
        image.SaveAsPng(path);
        return path;
    }

    /// <summary>
    /// A manifest-only classifier around a tiny model whose logits are the mean of each channel (0..1), with
    /// labels red, green, blue: a red image scores red e/(e+2) = 0.58.
    /// </summary>
    public string ColourClassifierPlugin(string name = "colour_classifier")
    {
        var folder = Path.Combine(PluginsDirectory, name);
        Directory.CreateDirectory(folder);
        new TinyOnnxModel("colour")
            .FloatInput("input", 1, 3, 2, 2)
            .Node("ReduceMean", ["input"], ["logits"], ("axes", new long[] { 2, 3 }), ("keepdims", 0L))
            .FloatOutput("logits", 1, 3)
            .Save(Path.Combine(folder, "colour.onnx"));
        File.WriteAllText(Path.Combine(folder, "labels.txt"), "red\ngreen\nblue\n");
        File.WriteAllText(Path.Combine(folder, "expert.yaml"), $"""
            name: {name}
            description: Says which primary colour dominates an image.
            kind: classifier
            routing:
              - examples: ["which colour is it"]
                keywords: [colour, color]
            models:
              - name: classifier
                file: colour.onnx
                license: CC0
            settings:
              size: "2"
              labels: labels.txt
              top_k: "3"
            license: CC0
            """);
        return folder;
    }

    /// <summary>A host as the CLI builds it: built-in experts, the configured plugin folders and MCP servers.</summary>
    public static Task<AgentHost> CreateHostAsync(VisionAgentConfig config, string outputDirectory) =>
        AgentHost.CreateAsync(new AgentHostOptions
        {
            Config = config,
            OutputDirectory = outputDirectory,
            OfflineModels = true,
            Home = Path.Combine(outputDirectory, "home"),
        }, CancellationToken.None);

    public static LlmIdentity Scripted { get; } = new("scripted", "test");

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A process that just exited may still hold a file for a moment; the temp folder is cleaned later.
        }
    }
}
