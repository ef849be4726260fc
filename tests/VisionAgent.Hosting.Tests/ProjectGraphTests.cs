using System.Reflection;
using VisionAgent.Core.Agent;
using VisionAgent.Core.Configuration;
using VisionAgent.ExternalExperts;
using VisionAgent.Hosting;
using VisionAgent.Testing;

namespace VisionAgent.Hosting.Tests;

/// <summary>The layering the composition root exists for: the loop knows no tensors, and no library knows a built-in expert.</summary>
public sealed class ProjectGraphTests
{
    [Fact]
    public void Every_project_under_plugins_is_discovered_as_a_built_in_expert()
    {
        var projects = Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "plugins"), "*.csproj", SearchOption.AllDirectories)
            .Select(Path.GetFileNameWithoutExtension)
            .Order(StringComparer.Ordinal)
            .ToList();

        var discovered = BuiltInExperts.Discover().Select(a => a.GetName().Name).Order(StringComparer.Ordinal).ToList();

        Assert.NotEmpty(projects);
        Assert.Equal(projects, discovered);
    }

    [Fact]
    public async Task Every_built_in_expert_gets_into_the_hosts_registry()
    {
        var home = Directory.CreateTempSubdirectory("va-hosting-").FullName;
        try
        {
            await using var host = await AgentHost.CreateAsync(new AgentHostOptions { Config = new VisionAgentConfig(), Home = home, OfflineModels = true, External = ExternalExpertSources.None }, CancellationToken.None);

            var builtIn = host.Registry.Experts.Where(e => e.Origin == "built-in").ToList();

            Assert.Equal(BuiltInExperts.Discover().Count, builtIn.Count);
            Assert.All(builtIn, e => Assert.Null(e.LoadError));
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    [Theory]
    [InlineData(typeof(ToolInvoker), new[] { "VisionAgent.Abstractions" })]
    [InlineData(typeof(ExpertKinds), new[] { "VisionAgent.Abstractions", "VisionAgent.Core", "VisionAgent.Imaging", "VisionAgent.Onnx" })]
    public void A_library_references_only_the_projects_below_it(Type typeInLibrary, string[] allowed)
    {
        var references = typeInLibrary.Assembly.GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(n => n.StartsWith("VisionAgent.", StringComparison.Ordinal))
            .ToList();

        Assert.All(references, name => Assert.Contains(name, allowed));
    }

    [Fact]
    public void Only_the_composition_root_and_the_cli_reference_a_built_in_expert()
    {
        var libraries = new[] { typeof(ToolInvoker).Assembly, typeof(ExpertKinds).Assembly, typeof(AgentHost).Assembly, Assembly.Load("VisionAgent.Evaluation") };

        foreach (var library in libraries)
        {
            Assert.DoesNotContain(library.GetReferencedAssemblies(), a => a.Name!.StartsWith(BuiltInExperts.AssemblyPrefix, StringComparison.Ordinal));
        }
    }
}
