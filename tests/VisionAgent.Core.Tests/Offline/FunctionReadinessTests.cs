using VisionAgent.Abstractions;
using VisionAgent.Core.Agent;
using VisionAgent.Core.Experts;
using VisionAgent.Testing;

namespace VisionAgent.Core.Tests.Offline;

/// <summary>Readiness per function: a function whose optional models are absent is neither offered nor called.</summary>
public sealed class FunctionReadinessTests
{
    private static ExpertManifest PainterNeedingWeights()
    {
        var manifest = PlannerTestExperts.PainterManifest;
        return new ExpertManifest
        {
            Name = manifest.Name,
            Description = manifest.Description,
            Routing = manifest.Routing,
            Models =
            [
                new ModelFileSpec { Name = "diffusion", File = "diffusion.onnx", Required = false, Group = "diffusion", NeededBy = ["inpaint"], Sources = [new ModelSource { Url = "https://example.invalid/diffusion.onnx" }] },
            ],
        };
    }

    [Fact]
    public void Only_the_function_that_needs_the_absent_files_is_unavailable_and_the_prompt_leaves_it_out()
    {
        var painter = new PainterPlugin();
        using var fixture = new PlannerFixture(_ => [PlannerTestExperts.Entry(PainterNeedingWeights(), painter)]);
        var inpaint = fixture.Registry.Resolve("painter.inpaint")!;
        var blur = fixture.Registry.Resolve("painter.blur")!;

        var catalog = ToolCatalog.Describe(fixture.Registry, "{{name}}({{parameters}})");

        Assert.Equal("needs models: visionagent models fetch painter --group diffusion", fixture.Registry.Unavailable(inpaint));
        Assert.Null(fixture.Registry.Unavailable(blur));
        Assert.Empty(fixture.Registry.MissingModels(fixture.Registry.Experts[0].Manifest));
        Assert.DoesNotContain("painter.inpaint", catalog);
        Assert.Contains("painter.blur", catalog);
    }

    [Fact]
    public async Task The_offline_planner_says_what_is_missing_instead_of_calling_the_function()
    {
        var painter = new PainterPlugin();
        using var fixture = new PlannerFixture(_ => [PlannerTestExperts.Entry(PainterNeedingWeights(), painter)]);
        fixture.Images.AddInput(RepositoryPaths.SampleImage("chelsea.png"));

        var result = await fixture.Session.AskAsync("erase the object", null, CancellationToken.None);

        Assert.Empty(result.Steps);
        Assert.Empty(painter.Calls);
        Assert.Contains("painter.inpaint needs models: visionagent models fetch painter --group diffusion", result.Answer);
    }
}
