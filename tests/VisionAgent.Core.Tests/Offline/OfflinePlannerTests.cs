using VisionAgent.Core.Agent;
using VisionAgent.Core.Experts;
using VisionAgent.Core.Llm.Offline;
using VisionAgent.Testing;

namespace VisionAgent.Core.Tests.Offline;

public sealed class OfflinePlannerTests
{
    private static IEnumerable<ExpertEntry> AllExperts(VisionAgent.Abstractions.IImageStore images, ReaderPlugin? reader = null, MaskerPlugin? masker = null, PainterPlugin? painter = null) =>
    [
        PlannerTestExperts.Entry(PlannerTestExperts.ReaderManifest, reader ?? new ReaderPlugin()),
        PlannerTestExperts.Entry(PlannerTestExperts.FinderManifest, new FinderPlugin(images)),
        PlannerTestExperts.Entry(PlannerTestExperts.MaskerManifest, masker ?? new MaskerPlugin(images)),
        PlannerTestExperts.Entry(PlannerTestExperts.PainterManifest, painter ?? new PainterPlugin()),
        PlannerTestExperts.Entry(PlannerTestExperts.BrokenManifest, new BrokenCounterPlugin()),
    ];

    [Theory]
    [InlineData("What does this sign say?", "reader")]
    [InlineData("please read the words on it", "reader")]
    [InlineData("where is the cat?", "finder")]
    [InlineData("cut out the dog", "masker")]
    [InlineData("remove the cat from the photo", "painter.inpaint")]
    [InlineData("how many coins are in the picture", "counter")]
    public void Routes_a_question_to_the_expert_whose_examples_mean_the_same(string question, string tool)
    {
        using var fixture = new PlannerFixture(images => AllExperts(images));

        var match = fixture.Planner.Index.Best(question, CancellationToken.None);

        Assert.NotNull(match);
        Assert.Equal(tool, match.Route.Tool.Name);
        Assert.True(match.Score >= fixture.Planner.Options.SimilarityThreshold, $"score {match.Score:0.00}");
    }

    [Fact]
    public async Task An_expert_added_only_through_its_manifest_is_called_and_its_answer_template_used()
    {
        var reader = new ReaderPlugin();
        using var fixture = new PlannerFixture(images => AllExperts(images, reader));
        fixture.Images.AddInput(RepositoryPaths.SampleImage("text.png"));

        var result = await fixture.Session.AskAsync("What does it say?", null, CancellationToken.None);

        Assert.Equal(RunStatus.Answered, result.Status);
        Assert.Equal(["img1"], reader.Calls);
        Assert.Equal("reader", Assert.Single(result.Steps).Action);
        // The data marks of untrusted text are gone from what the person reads.
        Assert.Equal("The image says: OPEN 9 TO 5", result.Answer);
        Assert.Equal(OfflinePlanner.Provider, result.Provider);
    }

    [Fact]
    public async Task A_question_no_expert_serves_gets_an_honest_answer_that_an_LLM_is_needed()
    {
        var reader = new ReaderPlugin();
        using var fixture = new PlannerFixture(images => AllExperts(images, reader));
        fixture.Images.AddInput(RepositoryPaths.SampleImage("chelsea.png"));

        var result = await fixture.Session.AskAsync("Write a poem about the meaning of life", null, CancellationToken.None);

        Assert.Equal(RunStatus.Declined, result.Status);
        Assert.Equal(VisionAgent.Abstractions.ExitCodes.NotAnswered, result.ErrorCode);
        Assert.Empty(result.Steps);
        Assert.Empty(reader.Calls);
        Assert.Contains(OfflinePlanner.NeedsLlm, result.Answer);
    }

    [Fact]
    public async Task Chains_finder_then_masker_then_painter_passing_the_region_and_the_mask_on()
    {
        var painter = new PainterPlugin();
        MaskerPlugin? masker = null;
        using var fixture = new PlannerFixture(images => AllExperts(images, masker: masker = new MaskerPlugin(images), painter: painter));
        fixture.Images.AddInput(RepositoryPaths.SampleImage("chelsea.png"));

        var result = await fixture.Session.AskAsync("remove the cat from the picture", null, CancellationToken.None);

        Assert.Equal(RunStatus.Answered, result.Status);
        Assert.Equal(["finder", "masker", "painter.inpaint"], result.Steps.Select(s => s.Action));
        // The finder found a dog first and a cat second: the region the question names is the one passed on.
        Assert.Equal(("img1", "img1#det2"), Assert.Single(masker!.Calls));
        var paint = Assert.Single(painter.Calls);
        Assert.Equal("img1", paint.Image);
        Assert.Equal("img2", paint.Mask);
        Assert.Equal("empty background where the cat was", paint.Prompt);
        Assert.Equal("Done: painted img2 on img1 New image: img2 (mask of img1).", result.Answer);
    }

    [Fact]
    public async Task An_expert_error_is_reported_as_it_is_and_nothing_is_invented()
    {
        using var fixture = new PlannerFixture(images => AllExperts(images));
        fixture.Images.AddInput(RepositoryPaths.SampleImage("coins.png"));

        var result = await fixture.Session.AskAsync("how many coins are there?", null, CancellationToken.None);

        Assert.Equal(RunStatus.Unanswered, result.Status);
        Assert.True(Assert.Single(result.Steps).Failed);
        Assert.StartsWith("I could not answer: the counter expert reported Error:", result.Answer);
        Assert.Contains("the coin model is not installed", result.Answer);
    }

    [Fact]
    public async Task Without_images_it_asks_for_one_instead_of_calling_an_expert()
    {
        var reader = new ReaderPlugin();
        using var fixture = new PlannerFixture(images => AllExperts(images, reader));

        var result = await fixture.Session.AskAsync("read the text", null, CancellationToken.None);

        Assert.Equal(RunStatus.Unanswered, result.Status);
        Assert.Empty(reader.Calls);
        Assert.Contains("attach an image", result.Answer);
    }

    [Fact]
    public async Task Uses_the_image_a_question_names_and_else_the_newest_input()
    {
        var reader = new ReaderPlugin();
        using var fixture = new PlannerFixture(images => AllExperts(images, reader));
        fixture.Images.AddInput(RepositoryPaths.SampleImage("text.png"));
        fixture.Images.AddInput(RepositoryPaths.SampleImage("page.png"));

        await fixture.Session.AskAsync("read the text", null, CancellationToken.None);
        await fixture.Session.AskAsync("what does img1 say?", null, CancellationToken.None);

        Assert.Equal(["img2", "img1"], reader.Calls);
    }

    [Theory]
    [InlineData("please read this", "reader")]
    [InlineData("cut it out and mask it", "masker")]
    public async Task Falls_back_to_keywords_when_the_embedder_is_unavailable(string question, string tool)
    {
        using var fixture = new PlannerFixture(images => AllExperts(images), embeddings: false);
        fixture.Images.AddInput(RepositoryPaths.SampleImage("chelsea.png"));

        var result = await fixture.Session.AskAsync(question, null, CancellationToken.None);

        Assert.Equal("keywords", fixture.Planner.Index.Method);
        Assert.Equal(tool, result.Steps[^1].Action);
    }

    [Fact]
    public async Task Keyword_mode_with_no_keyword_says_an_LLM_is_needed()
    {
        using var fixture = new PlannerFixture(images => AllExperts(images), embeddings: false);
        fixture.Images.AddInput(RepositoryPaths.SampleImage("chelsea.png"));

        var result = await fixture.Session.AskAsync("is this cat happy?", null, CancellationToken.None);

        Assert.Equal(RunStatus.Declined, result.Status);
        Assert.Empty(result.Steps);
        Assert.Contains(OfflinePlanner.NeedsLlm, result.Answer);
    }

    [Fact]
    public void Embeddings_are_unit_length_and_closer_for_paraphrases()
    {
        var vectors = PlannerFixture.Embedder.Embed(["read the text", "what does it say", "how big is the image"], CancellationToken.None);

        Assert.All(vectors, v => Assert.Equal(384, v.Length));
        Assert.All(vectors, v => Assert.Equal(1.0, Math.Sqrt(v.Sum(x => (double)x * x)), 3));
        static double Cos(float[] a, float[] b) => a.Zip(b, (x, y) => (double)x * y).Sum();
        Assert.True(Cos(vectors[0], vectors[1]) > Cos(vectors[0], vectors[2]));
    }
}
