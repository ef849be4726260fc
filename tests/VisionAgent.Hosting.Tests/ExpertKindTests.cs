using VisionAgent.Core.Configuration;
using VisionAgent.Plugins.Detect;

namespace VisionAgent.Hosting.Tests;

/// <summary>A manifest kind is declared by the expert that implements it; the host registers what its experts declare.</summary>
public sealed class ExpertKindTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("va-kinds-").FullName;

    [Fact]
    public async Task A_yolo_plugin_folder_runs_when_the_detect_expert_is_loaded_and_is_unknown_without_it()
    {
        var plugins = Path.Combine(_root, "plugins");
        Directory.CreateDirectory(Path.Combine(plugins, "hat_finder"));
        await File.WriteAllTextAsync(Path.Combine(plugins, "hat_finder", "expert.yaml"), "name: hat_finder\ndescription: Finds hats.\nkind: yolo\n");
        var config = new VisionAgentConfig { Plugins = [plugins] };

        await using var withDetect = await CreateAsync(config, typeof(DetectExpertModule).Assembly);
        await using var withoutDetect = await CreateAsync(config);

        Assert.Contains("yolo", new DetectExpertModule().ManifestKinds);
        Assert.True(withDetect.Registry.Experts.Single(e => e.Manifest.Name == "hat_finder").Loaded);
        var unknown = withoutDetect.Registry.Experts.Single(e => e.Manifest.Name == "hat_finder");
        Assert.False(unknown.Loaded);
        Assert.Contains("unknown expert kind 'yolo'", unknown.LoadError, StringComparison.Ordinal);
    }

    private Task<AgentHost> CreateAsync(VisionAgentConfig config, params System.Reflection.Assembly[] experts) =>
        AgentHost.CreateAsync(new AgentHostOptions
        {
            Config = config,
            Home = Path.Combine(_root, "home"),
            OutputDirectory = Path.Combine(_root, "out-" + Guid.NewGuid().ToString("N")[..6]),
            OfflineModels = true,
            ExpertAssemblies = experts,
        }, CancellationToken.None);

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
