using System.ComponentModel;
using Microsoft.SemanticKernel;
using VisionAgent.Abstractions;
using VisionAgent.Core.Agent;
using VisionAgent.Testing;

namespace VisionAgent.Core.Tests.Offline;

/// <summary>
/// The built-in experts' real manifests behind recording functions: which tool the planner calls, on which image,
/// with which arguments, for the requests a new user makes first.
/// </summary>
public sealed class PlannerArgumentTests
{
    private readonly List<(string Tool, IReadOnlyDictionary<string, string> Arguments)> _calls = [];

    private PlannerFixture BuiltIn(params string[] images) => BuiltInManifests.RecordingFixture(_calls, images);

    [Theory]
    [InlineData("Rotate it by 180°", "edit.rotate", "degrees=180")]
    [InlineData("rotate it 90 degrees counter-clockwise", "edit.rotate", "degrees=270")]
    [InlineData("turn the picture upside down", "edit.rotate", "degrees=180")]
    [InlineData("Brighten the photo", "edit.adjust", "brightness=1.3")]
    [InlineData("make it slightly dimmer", "edit.adjust", "brightness=0.9")]
    [InlineData("more contrast please", "edit.adjust", "contrast=1.3")]
    [InlineData("make it black and white", "edit.adjust", "saturation=0")]
    [InlineData("Resize it to 640 pixels wide", "edit.resize", "width=640")]
    [InlineData("shrink it to a quarter of its size", "edit.resize", "scale=0.25")]
    [InlineData("make it 64x64", "edit.resize", "width=64;height=64")]
    [InlineData("reduce the picture to 150 px high", "edit.resize", "height=150")]
    [InlineData("crop it to 10,20,200,150", "edit.crop", "box=10,20,200,150")]
    [InlineData("trim the image to the left half", "edit.crop", "box=0,0,226,300")]
    [InlineData("Give it a blue background", "edit.background", "mode=color;color=blue")]
    [InlineData("blur the background", "edit.background", "mode=blur")]
    [InlineData("read the text in the top strip 0,0,300,50", "ocr", "region=0,0,300,50")]
    [InlineData("paint the wall green", "edit.inpaint", "prompt=a green wall")]
    [InlineData("how many dogs are in the picture", "detect", "classes=dog")]
    public async Task Calls_the_tool_the_words_ask_for_with_the_values_they_give(string question, string tool, string expected)
    {
        using var fixture = BuiltIn("chelsea.png");

        var result = await fixture.Session.AskAsync(question, null, CancellationToken.None);

        Assert.Equal(RunStatus.Answered, result.Status);
        var call = _calls[^1];
        Assert.Equal(tool, call.Tool);
        Assert.Equal("img1", call.Arguments["image"]);
        foreach (var pair in expected.Split(';'))
        {
            var (name, value) = (pair[..pair.IndexOf('=')], pair[(pair.IndexOf('=') + 1)..]);
            Assert.Equal(value, call.Arguments[name]);
        }
        // Values the question does not give are left to the tool's defaults, never invented.
        if (tool == "edit.adjust") Assert.Single(call.Arguments.Keys, k => k is "brightness" or "contrast" or "saturation");
    }

    [Theory]
    [InlineData("rotate the image", "the angle", "upside down")]
    [InlineData("make it smaller", "the width, the height or the size or scale", "640 wide")]
    [InlineData("change the background colour", "the colour", "sky blue")]
    public async Task A_required_value_the_question_does_not_give_is_asked_for_instead_of_calling_with_a_default(string question, string need, string example)
    {
        using var fixture = BuiltIn("chelsea.png");

        var result = await fixture.Session.AskAsync(question, null, CancellationToken.None);

        Assert.Equal(RunStatus.Unanswered, result.Status);
        Assert.Equal(ExitCodes.NotAnswered, result.ErrorCode);
        Assert.Empty(_calls);
        Assert.Contains($"I need {need}", result.Answer);
        Assert.Contains(example, result.Answer);
    }

    [Theory]
    [InlineData("image size?", "image_info")]
    [InlineData("what's the heading of this document", "ocr")]
    [InlineData("what is the title of this page", "ocr")]
    public async Task Short_size_questions_and_document_titles_reach_the_right_expert(string question, string tool)
    {
        using var fixture = BuiltIn("page.png");

        await fixture.Session.AskAsync(question, null, CancellationToken.None);

        Assert.Equal(tool, Assert.Single(_calls).Tool);
    }

    [Theory]
    [InlineData("write a funny poem about my cat")]
    [InlineData("what is my cat thinking about")]
    [InlineData("make up a name for this pet")]
    public async Task A_creative_request_about_a_pet_is_declined_without_calling_anything(string question)
    {
        using var fixture = BuiltIn("chelsea.png");

        var result = await fixture.Session.AskAsync(question, null, CancellationToken.None);

        Assert.Equal(RunStatus.Declined, result.Status);
        Assert.Empty(_calls);
        Assert.Contains("configure one with --llm-endpoint", result.Answer);
    }

    [Theory]
    [InlineData("how big is img1?", "img1")]
    [InlineData("how big is chelsea.png?", "img1")]
    [InlineData("how big is the chelsea picture?", "img1")]
    [InlineData("how big is the first image?", "img1")]
    [InlineData("how big is the second image?", "img2")]
    public async Task A_question_that_names_an_image_applies_to_that_one(string question, string handle)
    {
        using var fixture = BuiltIn("chelsea.png", "page.png");

        var result = await fixture.Session.AskAsync(question, null, CancellationToken.None);

        Assert.Equal(handle, Assert.Single(_calls).Arguments["image"]);
        Assert.DoesNotContain("I used", result.Answer);
    }

    [Theory]
    [InlineData("how big are both images?")]
    [InlineData("what size is each picture?")]
    [InlineData("which of them has the higher resolution?")]
    public async Task Both_or_each_applies_to_every_input_and_the_answer_puts_them_side_by_side(string question)
    {
        using var fixture = BuiltIn("chelsea.png", "page.png");

        var result = await fixture.Session.AskAsync(question, null, CancellationToken.None);

        Assert.Equal(["img1", "img2"], _calls.Select(c => c.Arguments["image"]));
        Assert.Equal("img1 (chelsea.png): image_info done\nimg2 (page.png): image_info done", result.Answer);
    }

    [Fact]
    public async Task With_several_images_and_no_clue_the_answer_says_which_one_was_used_and_why()
    {
        using var fixture = BuiltIn("chelsea.png", "page.png");

        var result = await fixture.Session.AskAsync("how big is it?", null, CancellationToken.None);

        Assert.Equal("img2", Assert.Single(_calls).Arguments["image"]);
        Assert.Contains("(I used img2 (page.png), the newest of the 2 images; name another", result.Answer);
    }

    [Fact]
    public async Task A_chat_follow_up_about_the_mask_resolves_to_the_mask_made_earlier()
    {
        var sizer = new SizerPlugin();
        using var fixture = new PlannerFixture(images =>
        [
            PlannerTestExperts.Entry(MaskerAloneManifest, new MaskerPlugin(images)),
            PlannerTestExperts.Entry(SizerManifest, sizer),
        ]);
        fixture.Images.AddInput(RepositoryPaths.SampleImage("chelsea.png"));
        fixture.Images.AddInput(RepositoryPaths.SampleImage("coffee.png"));

        await fixture.Session.AskAsync("make a mask of the first image", null, CancellationToken.None);
        await fixture.Session.AskAsync("and how large is the mask?", null, CancellationToken.None);
        await fixture.Session.AskAsync("how large is the last result?", null, CancellationToken.None);

        Assert.Equal(["img3", "img3"], sizer.Calls);
    }

    [Fact]
    public async Task An_expert_whose_models_are_missing_is_not_called_and_the_answer_names_the_install_command()
    {
        var reader = new ReaderPlugin();
        var manifest = PlannerTestExperts.ReaderManifest;
        manifest.Models.Add(new ModelFileSpec { Name = "rec", File = "reader.onnx", Sources = [new ModelSource { Url = "https://example.invalid/reader.onnx" }] });
        using var fixture = new PlannerFixture(_ => [PlannerTestExperts.Entry(manifest, reader)]);
        fixture.Images.AddInput(RepositoryPaths.SampleImage("text.png"));

        var result = await fixture.Session.AskAsync("what does it say?", null, CancellationToken.None);

        Assert.Equal(RunStatus.Unanswered, result.Status);
        Assert.Empty(reader.Calls);
        Assert.Contains("visionagent models fetch reader", result.Answer);
    }

    private static ExpertManifest MaskerAloneManifest => new()
    {
        Name = "masker",
        Description = "Masks the subject.",
        Routing = [new RoutingRule { Examples = ["make a mask of the dog", "segment the object"], Keywords = ["mask", "segment"] }],
    };

    private static ExpertManifest SizerManifest => new()
    {
        Name = "sizer",
        Description = "Says how big an image is.",
        Routing = [new RoutingRule { Examples = ["how big is it", "how large is the picture", "what size is it"], Keywords = ["size", "large", "big"] }],
    };

    private sealed class SizerPlugin
    {
        public List<string> Calls { get; } = [];

        [KernelFunction("sizer"), Description("Image size.")]
        public Task<ExpertResult> SizeAsync([Description("image handle")] string image, CancellationToken cancellationToken = default)
        {
            Calls.Add(image);
            return Task.FromResult(new ExpertResult { Observation = $"{image} is big" });
        }
    }
}
