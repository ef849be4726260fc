using Microsoft.SemanticKernel.ChatCompletion;
using VisionAgent.Abstractions;
using VisionAgent.Core.Agent;
using VisionAgent.Core.Llm.Offline;
using VisionAgent.Core.Prompts;

namespace VisionAgent.Core.Tests.Agent;

/// <summary>Every line the loop writes for the model is read back by the same type into what was written.</summary>
public sealed class ReActTranscriptTests
{
    private static readonly ImageRecord Cat = new() { Handle = "img1", Path = "/data/My cat (2).png", Width = 451, Height = 300, Format = "PNG", Kind = "input" };
    private static readonly ImageRecord Mask = new() { Handle = "img2", Path = "/out/img1-mask.png", Width = 451, Height = 300, Format = "PNG", Kind = "mask", Parent = "img1", Operation = "segment" };
    private static readonly ImageRecord Edit = new() { Handle = "img3", Path = "/out/img2-edit.png", Width = 100, Height = 50, Format = "PNG", Kind = "edit", Parent = "img2", Operation = "edit.background" };
    private static readonly RegionRecord Region = new("img1#det2", "img1", "tabby cat", 0.875f, new PixelBox(10, 20.5f, 300, 280));

    public static TheoryData<string> Prefixes() => new() { "Observation: ", "Result: ", "Tool output >> " };

    [Theory]
    [MemberData(nameof(Prefixes))]
    public void A_conversation_written_by_the_transcript_is_read_back_as_written(string prefix)
    {
        var transcript = new ReActTranscript(new ReActPrompt { System = "s", ObservationPrefix = prefix });
        var first = ReActTranscript.Success("img1: PNG 451x300", [Mask]);
        var second = ReActTranscript.Failure("probe: the probe broke");
        var history = new ChatHistory("Images:\n" + ReActTranscript.ImageList([Cat, Mask, Edit], [Region]));
        history.AddUserMessage("What is in img1?");
        history.AddAssistantMessage("Thought: look\nAction: image_info\nAction Input: {\"image\": \"img1\"}");
        history.AddUserMessage(transcript.Observations([("image_info", first)]));
        history.AddAssistantMessage("Thought: again\nAction: probe.fail\nAction Input: {\"image\": \"img1\"}");
        history.AddUserMessage(transcript.Observations([("probe.fail", second)]));

        var read = PlannerConversation.Read(history, transcript);

        Assert.Equal("What is in img1?", read.Question);
        Assert.Equal([new ListedImage("img1", "My cat (2).png (451x300 PNG)", null, null, null), new ListedImage("img2", "mask of img1 by segment (451x300)", "mask", "img1", "segment"), new ListedImage("img3", "edit of img2 by edit.background (100x50)", "edit", "img2", "edit.background")], read.Images);
        Assert.Equal([new ListedRegion("img1#det2", "tabby cat", "img1")], read.Regions);
        Assert.Equal([new DoneStep("image_info", first), new DoneStep("probe.fail", second)], read.Done);
        Assert.False(read.Done[0].Failed);
        Assert.True(read.Done[1].Failed);
        Assert.Equal("img1: PNG 451x300", ReActTranscript.WithoutNewImages(read.Done[0].Observation));
    }

    [Theory]
    [MemberData(nameof(Prefixes))]
    public void Stop_sequences_and_labels_come_from_the_prompts_observation_prefix(string prefix)
    {
        var transcript = new ReActTranscript(new ReActPrompt { System = "s", ObservationPrefix = prefix });

        Assert.Equal(["\n" + prefix.Trim(), prefix.Trim()], transcript.StopSequences);
        Assert.True(transcript.IsObservation(transcript.Observation("x")));
        Assert.Equal("x", transcript.ReadObservation(transcript.Observation("x")));
        Assert.False(transcript.IsObservation("What is in img1?"));
    }

    [Fact]
    public void Several_actions_of_one_reply_share_one_message_each_labelled_with_its_tool()
    {
        var transcript = ReActTranscript.Default;

        var text = transcript.Observations([("ocr", "Text read"), ("detect", "2 cats")]);

        Assert.Equal("Observation: [ocr] Text read\nObservation: [detect] 2 cats", text);
    }

    [Fact]
    public void The_shipped_prompt_file_drives_the_default_transcript()
    {
        Assert.Equal(PromptLibrary.Default.ReAct.ObservationPrefix, ReActTranscript.Default.ObservationPrefix);
    }

    [Fact]
    public void An_empty_observation_prefix_is_refused_with_the_prompts_name()
    {
        var error = Assert.Throws<VisionAgentException>(() => new ReActTranscript(new ReActPrompt { Name = "custom", System = "s", ObservationPrefix = "  " }));

        Assert.Contains("custom", error.Message, StringComparison.Ordinal);
    }
}
