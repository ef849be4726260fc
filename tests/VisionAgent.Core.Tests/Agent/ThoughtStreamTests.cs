using VisionAgent.Core.Agent;

namespace VisionAgent.Core.Tests.Agent;

public sealed class ThoughtStreamTests
{
    private static string ThoughtOf(params string[] pieces)
    {
        var stream = new ThoughtStream();
        return string.Concat(pieces.Select(stream.Push)) + stream.Complete();
    }

    [Fact]
    public void The_thought_is_shown_without_its_label_and_stops_at_the_action()
    {
        Assert.Equal("I need the size.", ThoughtOf("Thought: I need the size.\nAction: image_info\nAction Input: {\"image\": \"img1\"}"));
    }

    [Fact]
    public void Labels_split_across_pieces_are_never_shown()
    {
        var stream = new ThoughtStream();

        Assert.Equal("", stream.Push("Thou"));
        Assert.Equal("", stream.Push("ght"));
        Assert.Equal("look", stream.Push(": look"));
        Assert.Equal(" closer", stream.Push(" closer\nAct"));
        Assert.Equal("", stream.Push("ion: ocr\nThought: more"));
        Assert.Equal("", stream.Complete());
    }

    [Theory]
    [InlineData("**Thought:** check it\n**Action:** ocr", "** check it")]
    [InlineData("I will read it first.\nAction: ocr", "I will read it first.")]
    [InlineData("Thought: line one\nline two\n\nThought: line three\nFinal Answer: x", "line one\nline two\nline three")]
    [InlineData("Final Answer: a cat", "")]
    [InlineData("Thought: no action yet", "no action yet")]
    [InlineData("Thought: the label reads: STOP\nAction: ocr", "the label reads: STOP")]
    public void Reads_labels_as_the_parser_does(string reply, string thought)
    {
        Assert.Equal(thought, ThoughtOf(reply));
        Assert.Equal(thought, ThoughtOf([.. reply.Select(c => c.ToString())]));
    }

    [Fact]
    public void A_long_line_without_a_colon_is_thought()
    {
        var line = new string('a', 100);

        Assert.Equal(line, ThoughtOf(line));
    }
}
