using System.ComponentModel;
using Microsoft.SemanticKernel;
using VisionAgent.Abstractions;
using VisionAgent.Core.Experts;
using VisionAgent.Testing;

namespace VisionAgent.Core.Tests.Experts;

public sealed class ArgumentNamingTests
{
    [Fact]
    public void An_expert_with_a_camel_case_argument_is_broken_with_the_snake_case_name_it_should_use()
    {
        var camel = Entry("camel", new CamelExpert());
        var snake = Entry("snake", new SnakeExpert());

        var registry = new ExpertRegistry([camel, snake], new DictionaryModelLocator());

        var broken = registry.Experts.Single(e => e.Manifest.Name == "camel");
        Assert.False(broken.Loaded);
        Assert.Equal("argument 'maxBoxes' of camel.find is not snake_case (write it as 'max_boxes')", broken.LoadError);
        Assert.DoesNotContain(registry.Tools, t => t.Expert.Manifest.Name == "camel");
        Assert.Contains(registry.Tools, t => t.Name == "snake");
    }

    [Fact]
    public void An_mcp_servers_tools_keep_their_servers_argument_names()
    {
        var mcp = new ExpertEntry(new ExpertManifest { Name = "remote_tools", Description = "d", Kind = ExpertRegistry.McpKind }, KernelPluginFactory.CreateFromObject(new CamelExpert(), "remote_tools"), "mcp server x");

        var registry = new ExpertRegistry([mcp], new DictionaryModelLocator());

        Assert.True(registry.Experts.Single().Loaded);
    }

    [Theory]
    [InlineData("max_boxes", true)]
    [InlineData("image", true)]
    [InlineData("x2", true)]
    [InlineData("maxBoxes", false)]
    [InlineData("Max_boxes", false)]
    [InlineData("max__boxes", false)]
    [InlineData("max_boxes_", false)]
    [InlineData("2x", false)]
    [InlineData("max-boxes", false)]
    public void Snake_case_is_lower_case_words_joined_by_single_underscores(string name, bool expected) =>
        Assert.Equal(expected, ExpertRegistry.IsSnakeCase(name));

    private static ExpertEntry Entry(string name, object plugin) =>
        new(new ExpertManifest { Name = name, Description = "d" }, KernelPluginFactory.CreateFromObject(plugin, name), "test");

    public sealed class CamelExpert
    {
        [KernelFunction("find"), Description("Finds.")]
        public Task<ExpertResult> FindAsync(string image, int maxBoxes = 0, CancellationToken cancellationToken = default) =>
            Task.FromResult(ExpertResult.Text($"{image} {maxBoxes}"));
    }

    public sealed class SnakeExpert
    {
        [KernelFunction("find"), Description("Finds.")]
        public Task<ExpertResult> FindAsync(string image, int max_boxes = 0, CancellationToken cancellationToken = default) =>
            Task.FromResult(ExpertResult.Text($"{image} {max_boxes}"));
    }
}
