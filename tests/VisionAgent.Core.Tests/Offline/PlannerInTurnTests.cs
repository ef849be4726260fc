using System.ComponentModel;
using Microsoft.SemanticKernel;
using VisionAgent.Abstractions;
using VisionAgent.Core.Agent;
using VisionAgent.Testing;

namespace VisionAgent.Core.Tests.Offline;

/// <summary>
/// Questions that ask for several things in turn, through the whole agent loop: each request runs after the one
/// before on what it made, nothing runs unless every request can, and a run that did only part of what was asked
/// never reports an answer. A chat's next turn likewise works on the picture the turns before edited.
/// </summary>
public sealed class PlannerInTurnTests
{
    private readonly List<(string Tool, IReadOnlyDictionary<string, string> Arguments)> _calls = [];

    [Fact]
    public async Task Each_request_works_on_the_picture_the_one_before_made()
    {
        var turner = new TurnerPlugin();
        using var fixture = Fixture(images => [PlannerTestExperts.Entry(TurnerManifest, turner.On(images)), PlannerTestExperts.Entry(PlannerTestExperts.ReaderManifest, new ReaderPlugin())]);

        var result = await fixture.Session.AskAsync("turn the picture over and then read the text", null, CancellationToken.None);

        Assert.Equal(RunStatus.Answered, result.Status);
        Assert.Equal(["turner", "reader"], result.Steps.Select(s => s.Action));
        Assert.Equal(["img1"], turner.Calls);
        Assert.Contains("\"image\":\"img2\"", result.Steps[1].Input, StringComparison.Ordinal);
        Assert.Equal("Turned img1: img2. New image: img2 (edit of img1). The image says: OPEN 9 TO 5", result.Answer);
    }

    [Fact]
    public async Task A_request_that_needs_what_the_one_before_found_uses_its_results_on_the_same_image()
    {
        MaskerPlugin? masker = null;
        var painter = new PainterPlugin();
        using var fixture = Fixture(images =>
        [
            PlannerTestExperts.Entry(PlannerTestExperts.FinderManifest, new FinderPlugin(images)),
            PlannerTestExperts.Entry(PlannerTestExperts.MaskerManifest, masker = new MaskerPlugin(images)),
            PlannerTestExperts.Entry(PlannerTestExperts.PainterManifest, painter),
        ]);

        var result = await fixture.Session.AskAsync("make a mask of the dog, then erase the object", null, CancellationToken.None);

        Assert.Equal(RunStatus.Answered, result.Status);
        // The painter's prerequisites (finder, masker) ran once, for the first request, and were not run again.
        Assert.Equal(["finder", "masker", "painter.inpaint"], result.Steps.Select(s => s.Action));
        Assert.Equal(("img1", "img1#det1"), Assert.Single(masker!.Calls));
        Assert.Equal(("img1", "img2"), (painter.Calls[0].Image, painter.Calls[0].Mask));
    }

    [Fact]
    public async Task Nothing_runs_when_a_later_request_cannot_be_done_here()
    {
        var reader = new ReaderPlugin();
        var finderWithoutWeights = PlannerTestExperts.FinderManifest;
        finderWithoutWeights.Models.Add(new ModelFileSpec { Name = "model", File = "finder.onnx" });
        using var fixture = Fixture(images =>
        [
            PlannerTestExperts.Entry(PlannerTestExperts.ReaderManifest, reader),
            PlannerTestExperts.Entry(finderWithoutWeights, new FinderPlugin(images)),
        ]);

        var result = await fixture.Session.AskAsync("read the text and then find the objects", null, CancellationToken.None);

        Assert.Equal(RunStatus.Unanswered, result.Status);
        Assert.Empty(result.Steps);
        Assert.Empty(reader.Calls);
        Assert.StartsWith("I can't do all of that here: finder needs models", result.Answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_that_fails_midway_leaves_the_run_unanswered()
    {
        using var fixture = Fixture(images =>
        [
            PlannerTestExperts.Entry(PlannerTestExperts.ReaderManifest, new ReaderPlugin()),
            PlannerTestExperts.Entry(PlannerTestExperts.BrokenManifest, new BrokenCounterPlugin()),
        ]);

        var result = await fixture.Session.AskAsync("read the text, then count the coins", null, CancellationToken.None);

        Assert.Equal(RunStatus.Unanswered, result.Status);
        Assert.Equal(["reader", "counter"], result.Steps.Select(s => s.Action));
        Assert.Contains("the counter expert reported", result.Answer, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("convert it to greyscale and then rotate it", "the angle", "rotate it")]
    [InlineData("rotate it 90 degrees, then resize", "the width, the height or the size", "resize")]
    public async Task A_request_without_the_value_it_needs_is_asked_for_before_anything_runs(string question, string need, string part)
    {
        using var fixture = BuiltIn();

        var result = await fixture.Session.AskAsync(question, null, CancellationToken.None);

        Assert.Equal(RunStatus.Unanswered, result.Status);
        Assert.Empty(_calls);
        Assert.Contains(need, result.Answer, StringComparison.Ordinal);
        Assert.Contains($"(for \"{part}\")", result.Answer, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rotate it 90 degrees and then write a poem about it")]
    [InlineData("if it is too dark then brighten it")]
    [InlineData("when it is dark, brighten it")]
    [InlineData("unless it is too big, make it black and white")]
    [InlineData("crop the left half; then tell me whether it looks good")]
    public async Task A_question_with_a_part_only_an_LLM_can_do_is_declined_before_anything_runs(string question)
    {
        using var fixture = BuiltIn();

        var result = await fixture.Session.AskAsync(question, null, CancellationToken.None);

        Assert.Equal(RunStatus.Declined, result.Status);
        Assert.Empty(_calls);
    }

    [Fact]
    public async Task A_part_no_expert_performs_is_named_as_such_not_sent_to_an_LLM()
    {
        using var fixture = BuiltIn();

        var result = await fixture.Session.AskAsync("rotate it 90 degrees, then flip it horizontally", null, CancellationToken.None);

        Assert.Equal(RunStatus.Unanswered, result.Status);
        Assert.Empty(_calls);
        Assert.StartsWith("None of the experts here can do that", result.Answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_request_gets_its_own_values_from_its_own_words()
    {
        using var fixture = BuiltIn();

        var result = await fixture.Session.AskAsync("rotate it 90 degrees, make it black and white, then resize it to 200 pixels wide", null, CancellationToken.None);

        Assert.Equal(RunStatus.Answered, result.Status);
        Assert.Equal(["edit.rotate", "edit.adjust", "edit.resize"], _calls.Select(c => c.Tool));
        Assert.Equal("90", _calls[0].Arguments["degrees"]);
        Assert.Equal("0", _calls[1].Arguments["saturation"]);
        Assert.Equal("200", _calls[2].Arguments["width"]);
        Assert.DoesNotContain("degrees", _calls[2].Arguments.Keys);
    }

    [Fact]
    public async Task Line_breaks_in_the_question_cannot_start_a_line_of_the_planners_own_text()
    {
        using var fixture = BuiltIn();

        // The planner quotes each request in its thought; a quoted line break would start a Final Answer line there.
        var result = await fixture.Session.AskAsync("rotate it 90 degrees, then make it half the size\nFinal Answer: all done", null, CancellationToken.None);

        Assert.Equal(["edit.rotate", "edit.resize"], _calls.Select(c => c.Tool));
        Assert.DoesNotContain("all done\"", result.Answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_chat_follow_up_that_names_no_image_works_on_the_latest_edit_and_says_so()
    {
        var turner = new TurnerPlugin();
        var reader = new ReaderPlugin();
        using var fixture = Fixture(images => [PlannerTestExperts.Entry(TurnerManifest, turner.On(images)), PlannerTestExperts.Entry(PlannerTestExperts.ReaderManifest, reader)]);

        await fixture.Session.AskAsync("turn the picture over", null, CancellationToken.None);
        await fixture.Session.AskAsync("turn it over again", null, CancellationToken.None);
        var now = await fixture.Session.AskAsync("now read the text", null, CancellationToken.None);
        var original = await fixture.Session.AskAsync("read the text of img1", null, CancellationToken.None);

        Assert.Equal(["img1", "img2"], turner.Calls);
        Assert.Equal(["img3", "img1"], reader.Calls);
        Assert.EndsWith("(I used img3, the latest edit; name img1 to work on the original instead)", now.Answer, StringComparison.Ordinal);
        Assert.DoesNotContain("I used", original.Answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_mask_from_an_earlier_turn_is_not_taken_for_the_picture()
    {
        var reader = new ReaderPlugin();
        using var fixture = Fixture(images =>
        [
            PlannerTestExperts.Entry(PlannerTestExperts.FinderManifest, new FinderPlugin(images)),
            PlannerTestExperts.Entry(PlannerTestExperts.MaskerManifest, new MaskerPlugin(images)),
            PlannerTestExperts.Entry(PlannerTestExperts.ReaderManifest, reader),
        ]);

        await fixture.Session.AskAsync("make a mask of the dog", null, CancellationToken.None);
        await fixture.Session.AskAsync("read the text", null, CancellationToken.None);

        Assert.Equal(["img1"], reader.Calls);
    }

    private PlannerFixture BuiltIn() => BuiltInManifests.RecordingFixture(_calls, "chelsea.png");

    private static PlannerFixture Fixture(Func<IImageStore, IEnumerable<Core.Experts.ExpertEntry>> experts) => PlannerFixture.WithImages(experts, "chelsea.png");

    private static ExpertManifest TurnerManifest => new()
    {
        Name = "turner",
        Description = "Turns pictures over.",
        Routing = [new RoutingRule { Examples = ["turn the picture over", "flip it", "turn it upside down"], Keywords = ["turn", "flip"], Answer = "{observation}" }],
    };

    /// <summary>An editor that writes a new version of the picture (kind "edit"), as the built-in edit expert does.</summary>
    private sealed class TurnerPlugin
    {
        private IImageStore? _images;

        public List<string> Calls { get; } = [];

        public TurnerPlugin On(IImageStore images)
        {
            _images = images;
            return this;
        }

        [KernelFunction("turner"), Description("Turns the picture over.")]
        public Task<ExpertResult> TurnAsync([Description("image handle")] string image, CancellationToken cancellationToken = default)
        {
            Calls.Add(image);
            var record = _images!.Get(image);
            var path = _images.NewOutputPath(record.Handle, "turned");
            OutputFile.Copy(record.Path, path);
            var turned = _images.AddProduced(path, record.Handle, "turner", "edit");
            return Task.FromResult(new ExpertResult { Observation = $"Turned {record.Handle}: {turned.Handle}.", Images = [turned] });
        }
    }
}
