using VisionAgent.Core.Agent;

namespace VisionAgent.Core.Tests.Agent;

public sealed class StreamedReplyTests
{
    private static readonly string[] Stops = ["\nObservation:", "Observation:"];

    [Fact]
    public void Pieces_are_shown_as_they_come_when_no_stop_sequence_can_start_in_them()
    {
        var reply = new StreamedReply(Stops);

        Assert.Equal("Thought: a", reply.Add("Thought: a"));
        Assert.Equal(" cat", reply.Add(" cat"));
        Assert.Equal("", reply.Complete());
        Assert.Equal("Thought: a cat", reply.Text);
        Assert.False(reply.IsCut);
    }

    [Fact]
    public void A_stop_sequence_split_across_pieces_cuts_the_reply_and_is_never_shown()
    {
        var reply = new StreamedReply(Stops);
        var shown = reply.Add("Action Input: {}\nObs") + reply.Add("erv") + reply.Add("ation: invented") + reply.Add(" more");

        Assert.True(reply.IsCut);
        Assert.Equal("Action Input: {}", reply.Text);
        Assert.Equal("Action Input: {}", shown + reply.Complete());
    }

    [Fact]
    public void A_tail_that_only_looked_like_a_stop_sequence_is_shown_once_the_next_piece_decides()
    {
        var reply = new StreamedReply(Stops);

        Assert.Equal("I looked at the ", reply.Add("I looked at the Obs"));
        Assert.Equal("Obscure corner", reply.Add("cure corner"));
        Assert.False(reply.IsCut);
    }

    [Fact]
    public void A_held_back_tail_is_shown_when_the_reply_completes()
    {
        var reply = new StreamedReply(Stops);

        Assert.Equal("end", reply.Add("end\nObserv"));
        Assert.Equal("\nObserv", reply.Complete());
        Assert.Equal("end\nObserv", reply.Text);
    }

    [Fact]
    public void Without_stop_sequences_everything_is_shown_at_once()
    {
        var reply = new StreamedReply([]);

        Assert.Equal("Observation: x", reply.Add("Observation: x"));
        Assert.False(reply.IsCut);
    }
}
