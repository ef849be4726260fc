using System.ComponentModel;
using Microsoft.SemanticKernel;
using VisionAgent.Abstractions;
using VisionAgent.Core.Experts;
using VisionAgent.Core.Llm.Offline;
using VisionAgent.Testing;
using Xunit.Abstractions;

namespace VisionAgent.Core.Tests.Offline;

/// <summary>
/// Routing quality over a set of manifests shaped like the built-in experts' (each with a handful of examples),
/// measured on questions worded differently from every example. "-" means the planner should decline.
/// </summary>
public sealed class RoutingAccuracyTests(ITestOutputHelper output)
{
    private static readonly (string Name, string[] Examples)[] Experts =
    [
        ("image_info", ["how big is this image", "what size is the picture", "what resolution is it", "what format is this file", "what colours are in the image", "is this photo dark or bright", "when was this photo taken"]),
        ("ocr", ["what does it say", "read the text", "what is written here", "transcribe the page", "what does the sign say"]),
        ("detect", ["what objects are in the picture", "find the cat", "where is the person", "count the cars", "locate every dog"]),
        ("caption", ["describe the image", "what is in this photo", "what is happening in the picture", "caption this image"]),
        ("segment", ["cut out the dog", "segment the person", "make a mask of the car", "separate the object from the image"]),
        ("edit", ["remove the background", "blur the background", "make the background white", "erase the object"]),
    ];

    private static readonly (string Question, string Expected)[] Table =
    [
        ("What are the dimensions of img1?", "image_info"),
        ("how many pixels wide is the photo", "image_info"),
        ("is the picture too dark?", "image_info"),
        ("Can you read the words on this page?", "ocr"),
        ("what's the text on the label", "ocr"),
        ("transcribe the letter for me", "ocr"),
        ("What does this receipt say?", "ocr"),
        ("how many people are there", "detect"),
        ("Is there a bicycle anywhere?", "detect"),
        ("where's the cat", "detect"),
        ("tell me what this picture shows", "caption"),
        ("Give me a short description of the scene", "caption"),
        ("isolate the cat from the rest", "segment"),
        ("create a mask for the person", "segment"),
        ("get rid of the background", "edit"),
        ("make the backdrop transparent", "edit"),
        ("Write me a poem about love", "-"),
        ("what is the capital of France", "-"),
        ("translate hello into German", "-"),
        ("should I buy this house?", "-"),
    ];

    [Fact]
    public void Routes_most_rephrased_questions_right_and_declines_unrelated_ones()
    {
        var entries = Experts.Select(e => new ExpertEntry(
            new ExpertManifest { Name = e.Name, Description = e.Name, Routing = [new RoutingRule { Examples = [.. e.Examples] }] },
            KernelPluginFactory.CreateFromObject(new AnyPlugin(), e.Name), "test"));
        var planner = new OfflinePlanner(new ExpertRegistry(entries, new DictionaryModelLocator()), PlannerFixture.Embedder);

        var right = 0;
        foreach (var (question, expected) in Table)
        {
            var match = planner.Index.Best(question, CancellationToken.None)!;
            var chosen = match.Score >= planner.Options.SimilarityThreshold ? match.Route.Tool.Name : "-";
            if (chosen == expected) right++;
            output.WriteLine($"{(chosen == expected ? "ok  " : "MISS")} {question,-45} -> {chosen,-10} ({match.Route.Tool.Name} {match.Score:0.00}, \"{match.Evidence}\") expected {expected}");
        }
        output.WriteLine($"accuracy {right}/{Table.Length}");

        Assert.True(right >= Table.Length * 0.8, $"only {right} of {Table.Length} routed right");
    }

    public sealed class AnyPlugin
    {
        [KernelFunction("run"), Description("test")]
        public Task<ExpertResult> RunAsync(string image, CancellationToken cancellationToken = default) =>
            Task.FromResult(new ExpertResult { Observation = image });
    }
}
