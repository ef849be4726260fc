using System.Text.Json;
using VisionAgent.Cli;
using VisionAgent.Core.Agent;
using VisionAgent.Core.Configuration;
using VisionAgent.ExternalExperts.Classifier;
using VisionAgent.Hosting;
using VisionAgent.Testing.Llm;

namespace VisionAgent.ExternalExperts.Tests;

public sealed class ClassifierPluginTests : IDisposable
{
    private readonly PluginTestFiles _files = new();

    [Fact]
    public async Task Manifest_only_classifier_is_listed_by_tools_and_broken_plugins_are_reported_and_skipped()
    {
        _files.ColourClassifierPlugin();
        _files.Write("plugins/bad_yaml/expert.yaml", "name: bad_yaml\ndescription: [unclosed\n");
        _files.Write("plugins/no_assembly/expert.yaml", "name: no_assembly\ndescription: missing dll\nkind: code\nassembly: bin/Missing.dll\n");
        var throwing = Path.Combine(_files.Root, "plugins", "throws");
        Directory.CreateDirectory(throwing);
        _files.Write("plugins/throws/expert.yaml", $"name: throws\ndescription: constructor throws\nkind: code\nassembly: {typeof(ThrowingExpertModule).Assembly.Location}\n");
        _files.Write("plugins/unknown_kind/expert.yaml", "name: unknown_kind\ndescription: no such kind\nkind: teleport\n");
        var config = _files.Write("visionagent.yaml", $"plugins: [\"{_files.PluginsDirectory}\"]\n");
        var output = new StringWriter();
        var error = new StringWriter();

        var exit = await CliApp.RunAsync(["--config", config, "--output", Path.Combine(_files.Root, "out"), "tools", "--json"], output, error, CancellationToken.None);

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(output.ToString());
        var experts = json.RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!, e => e);
        Assert.Equal("ready", experts["colour_classifier"].GetProperty("status").GetString());
        Assert.Equal("colour_classifier", experts["colour_classifier"].GetProperty("tools")[0].GetProperty("name").GetString());
        Assert.Equal("ready", experts["image_info"].GetProperty("status").GetString());
        foreach (var broken in new[] { "bad_yaml", "no_assembly", "throws", "unknown_kind" })
            Assert.Equal("broken", experts[broken].GetProperty("status").GetString());
        Assert.Contains("assembly not found", experts["no_assembly"].GetProperty("detail").GetString());
        Assert.Contains("constructor refused", experts["throws"].GetProperty("detail").GetString());
        Assert.Contains("unknown expert kind 'teleport'", experts["unknown_kind"].GetProperty("detail").GetString());
        Assert.Contains("skipped", error.ToString());
    }

    [Fact]
    public async Task Manifest_only_classifier_answers_through_the_agent_with_labels_marked_as_data()
    {
        _files.ColourClassifierPlugin();
        var config = ConfigLoader.Parse($"plugins: [\"{_files.PluginsDirectory}\"]\n", "test");
        await using var host = await PluginTestFiles.CreateHostAsync(config, Path.Combine(_files.Root, "out"));
        host.Images.AddInput(_files.SolidImage("red.png", 255, 0, 0));
        var chat = new ScriptedChatService([
            "Thought: classify it.\nAction: colour_classifier\nAction Input: {\"image\": \"img1\"}",
            "Thought: done.\nFinal Answer: It is red.",
        ]);
        var session = host.CreateSession(chat, PluginTestFiles.Scripted);

        var result = await session.AskAsync("Which colour is img1?", null, CancellationToken.None);

        Assert.Equal("It is red.", result.Answer);
        var observation = Assert.Single(result.Steps).Observation;
        Assert.Contains(UntrustedTextMarker.Begin, observation);
        Assert.Contains("red 0.58", observation.Replace("^", " ").Replace("  ", " "));
        var data = ClassifyDirect(host);
        Assert.Equal(["red", "green", "blue"], data.Top.Select(c => c.Label));
        Assert.Equal(MathF.E / (MathF.E + 2), data.Top[0].Probability, 4);
    }

    [Fact]
    public void Classifier_labels_are_cleaned_of_control_characters_and_capped()
    {
        var label = ClassifierProcessing.Clean("cat\u001b[31m\u0007 " + new string('x', 200));

        Assert.DoesNotContain('\u001b', label);
        Assert.DoesNotContain('\u0007', label);
        Assert.Equal(80, label.Length);
    }

    private static ClassificationResult ClassifyDirect(VisionAgent.Hosting.AgentHost host)
    {
        var outcome = host.Invoker.InvokeAsync("colour_classifier", new Dictionary<string, string> { ["image"] = "img1" }, null, CancellationToken.None).GetAwaiter().GetResult();
        return Assert.IsType<ClassificationResult>(outcome.Result!.Data);
    }

    public void Dispose() => _files.Dispose();
}

/// <summary>A code plugin whose constructor throws: the host must report it and go on.</summary>
public sealed class ThrowingExpertModule : VisionAgent.Abstractions.IExpertModule
{
    public ThrowingExpertModule() => throw new InvalidOperationException("constructor refused to run");

    public object CreatePlugin(VisionAgent.Abstractions.ExpertContext context) => new object();
}

public sealed class PluginFoldersTests : IDisposable
{
    private readonly PluginTestFiles _files = new();

    [Fact]
    public void Folders_come_from_the_working_directory_the_config_and_the_environment_variable()
    {
        var fromConfig = Directory.CreateDirectory(Path.Combine(_files.Root, "configured")).FullName;
        var fromEnv1 = Directory.CreateDirectory(Path.Combine(_files.Root, "env1")).FullName;
        var fromEnv2 = Directory.CreateDirectory(Path.Combine(_files.Root, "env2")).FullName;
        var config = ConfigLoader.Parse("plugins: [configured, missing, configured/]\n", "test");

        var folders = Folders.PluginFolders.Resolve(config, _files.Root, $"{fromEnv1}{Path.PathSeparator}env2{Path.PathSeparator}");

        Assert.Equal(
            [
                new Folders.PluginFolder(_files.PluginsDirectory, Folders.PluginFolderOrigin.WorkingDirectory),
                new Folders.PluginFolder(fromConfig, Folders.PluginFolderOrigin.Config),
                new Folders.PluginFolder(Path.Combine(_files.Root, "missing"), Folders.PluginFolderOrigin.Config),
                new Folders.PluginFolder(fromEnv1, Folders.PluginFolderOrigin.Environment),
                new Folders.PluginFolder(fromEnv2, Folders.PluginFolderOrigin.Environment),
            ],
            folders);
    }

    [Fact]
    public async Task A_configured_folder_may_be_a_plugin_folder_itself_or_a_folder_of_plugin_folders()
    {
        var itself = _files.ColourClassifierPlugin("colour_itself");
        var parent = Directory.CreateDirectory(Path.Combine(_files.Root, "more")).FullName;
        Directory.Move(_files.ColourClassifierPlugin("colour_nested"), Path.Combine(parent, "colour_nested"));
        var config = ConfigLoader.Parse($"plugins: ['{itself}', '{parent}']\n", "test");
        var warnings = new List<string>();

        await using var host = await CreateHostAsync(config, warnings);

        Assert.Null(host.Registry.Experts.Single(e => e.Manifest.Name == "colour_itself").LoadError);
        Assert.Null(host.Registry.Experts.Single(e => e.Manifest.Name == "colour_nested").LoadError);
        Assert.Empty(host.External.Plugins.FolderProblems);
        Assert.DoesNotContain(warnings, w => w.Contains("plugin folder", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_named_folder_that_holds_no_plugin_is_reported_not_ignored()
    {
        var empty = Directory.CreateDirectory(Path.Combine(_files.Root, "empty")).FullName;
        Directory.CreateDirectory(Path.Combine(empty, "not-a-plugin"));
        var missing = Path.Combine(_files.Root, "missing");
        var file = _files.Write("a-file", "x");
        var config = ConfigLoader.Parse($"plugins: ['{empty}', '{missing}', '{file}']\n", "test");
        var warnings = new List<string>();

        await using var host = await CreateHostAsync(config, warnings);

        Assert.Equal(
            [
                $"plugins: entry {empty}: holds no expert.yaml, neither itself nor in a subfolder: name a plugin folder or a folder of plugin folders",
                $"plugins: entry {missing}: does not exist",
                $"plugins: entry {file}: is a file, not a folder",
            ],
            host.External.Plugins.FolderProblems.Select(p => p.Message));
        Assert.Equal(3, warnings.Count(w => w.StartsWith("plugin folder skipped: plugins: entry ", StringComparison.Ordinal)));
    }

    [Fact]
    public void The_implicit_plugins_folder_is_not_reported_when_absent_or_empty()
    {
        var absent = new Folders.PluginFolder(Path.Combine(_files.Root, "nowhere", "plugins"), Folders.PluginFolderOrigin.WorkingDirectory);
        var empty = new Folders.PluginFolder(_files.PluginsDirectory, Folders.PluginFolderOrigin.WorkingDirectory);

        var catalog = Folders.PluginCatalog.Scan([absent, empty], new HashSet<string>());

        Assert.Empty(catalog.FolderProblems);
        Assert.Empty(catalog.Candidates);
    }

    private Task<AgentHost> CreateHostAsync(VisionAgentConfig config, List<string> warnings) =>
        AgentHost.CreateAsync(new AgentHostOptions
        {
            Config = config,
            OutputDirectory = Path.Combine(_files.Root, "out"),
            OfflineModels = true,
            Home = Path.Combine(_files.Root, "home"),
            Warn = warnings.Add,
        }, CancellationToken.None);

    public void Dispose() => _files.Dispose();
}
