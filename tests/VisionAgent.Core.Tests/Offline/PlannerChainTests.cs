using System.ComponentModel;
using Microsoft.SemanticKernel;
using VisionAgent.Abstractions;
using VisionAgent.Core.Agent;
using VisionAgent.Testing;

namespace VisionAgent.Core.Tests.Offline;

public sealed class PlannerChainTests
{
    [Fact]
    public async Task A_prerequisite_whose_models_are_missing_is_skipped_and_the_expert_works_on_the_whole_image()
    {
        var finderWithoutWeights = PlannerTestExperts.FinderManifest;
        finderWithoutWeights.Models.Add(new ModelFileSpec { Name = "model", File = "finder.onnx" });
        MaskerPlugin? masker = null;
        using var fixture = new PlannerFixture(images =>
        [
            PlannerTestExperts.Entry(finderWithoutWeights, new FinderPlugin(images)),
            PlannerTestExperts.Entry(PlannerTestExperts.MaskerManifest, masker = new MaskerPlugin(images)),
        ]);
        fixture.Images.AddInput(RepositoryPaths.SampleImage("chelsea.png"));

        var result = await fixture.Session.AskAsync("cut out the cat", null, CancellationToken.None);

        Assert.Equal(RunStatus.Answered, result.Status);
        Assert.Equal(["masker"], result.Steps.Select(s => s.Action));
        Assert.Equal(("img1", (string?)null), Assert.Single(masker!.Calls));
    }

    [Fact]
    public async Task An_editor_that_takes_the_mask_keeps_working_on_the_original_not_the_cutout()
    {
        var painter = new PainterPlugin();
        using var fixture = new PlannerFixture(images =>
        [
            PlannerTestExperts.Entry(CutterManifest, new CutterPlugin(images)),
            PlannerTestExperts.Entry(PlannerTestExperts.PainterManifest, painter),
        ]);
        fixture.Images.AddInput(RepositoryPaths.SampleImage("chelsea.png"));

        var result = await fixture.Session.AskAsync("remove the cat from the picture", null, CancellationToken.None);

        Assert.Equal(["masker", "painter.inpaint"], result.Steps.Select(s => s.Action));
        var paint = Assert.Single(painter.Calls);
        Assert.Equal("img1", paint.Image);
        Assert.Equal("img2", paint.Mask);
        // Every new image is listed once, not once by the observation and again by the answer.
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(result.Answer!, "New image"));
    }

    // A masker (same name, so the painter's `after: [masker]` finds it) that also writes a cut-out.
    private static ExpertManifest CutterManifest => new()
    {
        Name = "masker",
        Description = "Masks and cuts out the subject.",
        Routing = [new RoutingRule { Examples = ["cut out the subject"], Keywords = ["cut"] }],
    };

    private sealed class CutterPlugin(IImageStore images)
    {
        [KernelFunction("masker"), Description("Mask and cut-out of the subject.")]
        public Task<ExpertResult> CutAsync([Description("image handle")] string image, CancellationToken cancellationToken = default)
        {
            var record = images.Get(image);
            var maskPath = images.NewOutputPath(record.Handle, "mask");
            OutputFile.Copy(record.Path, maskPath);
            var mask = images.AddProduced(maskPath, record.Handle, "masker", "mask");
            var cutoutPath = images.NewOutputPath(record.Handle, "cutout");
            OutputFile.Copy(record.Path, cutoutPath);
            var cutout = images.AddProduced(cutoutPath, record.Handle, "masker", "cutout");
            return Task.FromResult(new ExpertResult { Observation = $"mask {mask.Handle}, cut-out {cutout.Handle}", Images = [mask, cutout] });
        }
    }
}
