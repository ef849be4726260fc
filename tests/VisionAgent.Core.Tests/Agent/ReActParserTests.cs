using VisionAgent.Core.Agent;

namespace VisionAgent.Core.Tests.Agent;

public sealed class ReActParserTests
{
    public static TheoryData<string, string, string, string?> SingleActionShapes => new()
    {
        // reply, tool, expected "key=value;..." arguments, positional
        { "Thought: I should look.\nAction: image_info\nAction Input: {\"image\": \"img1\"}", "image_info", "image=img1", null },
        { "**Thought:** look\n**Action:** image_info\n**Action Input:** {\"image\": \"img1\"}", "image_info", "image=img1", null },
        { "thought: look\naction: ocr\naction input: {\"image\":\"img2\",\"min_confidence\":0.5}", "ocr", "image=img2;min_confidence=0.5", null },
        { "Action: ocr\nAction Input: img1", "ocr", "", "img1" },
        { "Action: ocr\nAction Input: \"img1\"", "ocr", "", "img1" },
        { "Action: ocr\nAction Input: image=img1, min_confidence=0.7", "ocr", "image=img1;min_confidence=0.7", null },
        { "Action: segment\nAction Input: image=img1, box=10,20,30,40", "segment", "image=img1;box=10,20,30,40", null },
        { "Thought: call it\nAction: ocr(image=\"img1\")", "ocr", "image=img1", null },
        { "Action: ocr(img3)", "ocr", "", "img3" },
        { "Thought: x\nAction: ocr()\nAction Input: {\"image\": \"img1\"}", "ocr", "image=img1", null },
        { "Action: detect({\"image\": \"img1\", \"classes\": [\"person\", \"dog\"]})", "detect", "image=img1;classes=person,dog", null },
        { "Thought: x\nAction: `ocr`\nAction Input:\n```json\n{\"image\": \"img1\"}\n```", "ocr", "image=img1", null },
        { "```\nThought: x\nAction: ocr\nAction Input: {\"image\": \"img1\"}\n```", "ocr", "image=img1", null },
        { "Thought: x\nAction: ocr\nAction Input: {'image': 'img1', 'flag': True}", "ocr", "image=img1;flag=true", null },
        { "Thought: x\nAction: ocr\nAction Input: {\"image\": \"img1\",}", "ocr", "image=img1", null },
        { "Thought: x\nAction: ocr\nAction Input: {\"image\": \"img1\"} I hope this works!", "ocr", "image=img1", null },
        { "Thought: x\nAction: ocr\nAction Input: {\"image\": \"img1\"}\nObservation: The text says hello\nThought: done\nFinal Answer: hello", "ocr", "image=img1", null },
        { "I will read the text.\nAction: ocr\nAction Input: {\"image\": \"img1\"}", "ocr", "image=img1", null },
        { "Thought: x\nAction: ocr {\"image\": \"img1\"}", "ocr", "image=img1", null },
        { "Thought: x\nAction: edit.background\nAction Input: {\"image\": \"img1\", \"mode\": \"blur\"}", "edit.background", "image=img1;mode=blur", null },
        { "THOUGHT: X\nACTION: OCR\nACTION INPUT: {\"image\": \"img1\"}", "OCR", "image=img1", null },
        { "{\"action\": \"ocr\", \"action_input\": {\"image\": \"img1\"}}", "ocr", "image=img1", null },
        { "```json\n{\"action\": \"ocr\", \"action_input\": \"img1\"}\n```", "ocr", "", "img1" },
        { "- Thought: x\n- Action: ocr\n- Action Input: {\"image\": \"img1\"}", "ocr", "image=img1", null },
        { "Thought: x\r\nAction: ocr\r\nAction Input: {\"image\": \"img1\"}\r\n", "ocr", "image=img1", null },
        { "Thought: x\nAction: ocr\nAction Input: {\n  \"image\": \"img1\",\n  \"region\": \"img1#det2\"\n}", "ocr", "image=img1;region=img1#det2", null },
    };

    [Theory]
    [MemberData(nameof(SingleActionShapes))]
    public void Parses_one_action_from_real_world_shapes(string reply, string tool, string arguments, string? positional)
    {
        var parsed = ReActParser.Parse(reply);

        Assert.Null(parsed.Error);
        Assert.Null(parsed.FinalAnswer);
        var action = Assert.Single(parsed.Actions);
        Assert.Equal(tool, action.Tool);
        Assert.Equal(arguments, string.Join(";", action.Arguments.Select(kv => $"{kv.Key}={kv.Value}")));
        Assert.Equal(positional, action.Positional);
    }

    [Theory]
    [InlineData("Thought: I know.\nFinal Answer: The cat is orange.", "The cat is orange.")]
    [InlineData("**Final Answer**: 42", "42")]
    [InlineData("final answer: multi\nline answer", "multi\nline answer")]
    [InlineData("Thought: done\nFinal Answer:\nThe page says hello.", "The page says hello.")]
    [InlineData("{\"action\": \"Final Answer\", \"action_input\": \"It is a cat.\"}", "It is a cat.")]
    public void Parses_final_answers(string reply, string answer)
    {
        var parsed = ReActParser.Parse(reply);

        Assert.Null(parsed.Error);
        Assert.Empty(parsed.Actions);
        Assert.Equal(answer, parsed.FinalAnswer);
    }

    [Fact]
    public void Runs_several_actions_in_order()
    {
        var parsed = ReActParser.Parse("Thought: both\nAction: image_info\nAction Input: {\"image\": \"img1\"}\nAction: ocr\nAction Input: {\"image\": \"img1\"}");

        Assert.Equal(["image_info", "ocr"], parsed.Actions.Select(a => a.Tool));
    }

    [Fact]
    public void An_action_wins_over_an_invented_final_answer()
    {
        var parsed = ReActParser.Parse("Thought: x\nAction: ocr\nAction Input: img1\nFinal Answer: it says hi");

        Assert.Single(parsed.Actions);
        Assert.Null(parsed.FinalAnswer);
    }

    [Fact]
    public void Text_after_an_invented_observation_is_cut_from_the_kept_reply()
    {
        var parsed = ReActParser.Parse("Thought: x\nAction: ocr\nAction Input: img1\nObservation: made up\nFinal Answer: nope");

        Assert.DoesNotContain("made up", parsed.Text);
        Assert.EndsWith("Action Input: img1", parsed.Text);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("I think the image shows a cat.")]
    [InlineData("Thought: hmm, not sure what to do")]
    [InlineData("Action Input: {\"image\": \"img1\"}")]
    public void Unusable_replies_become_errors_not_exceptions(string reply)
    {
        var parsed = ReActParser.Parse(reply);

        Assert.NotNull(parsed.Error);
        Assert.Empty(parsed.Actions);
        Assert.Null(parsed.FinalAnswer);
    }

    [Theory]
    [InlineData("{\"image\": \"img1\"}", "image=img1", null)]
    [InlineData("img1", "", "img1")]
    [InlineData("image: img1", "image=img1", null)]
    [InlineData("image=img1; box=1,2,3,4", "image=img1;box=1,2,3,4", null)]
    [InlineData("`img1`", "", "img1")]
    [InlineData("", "", null)]
    public void Parses_argument_texts(string input, string arguments, string? positional)
    {
        var (parsed, bare) = ReActParser.ParseArguments(input);

        Assert.Equal(arguments, string.Join(";", parsed.Select(kv => $"{kv.Key}={kv.Value}")));
        Assert.Equal(positional, bare);
    }
}

public sealed class ReActParserRepairTests
{
    [Fact]
    public void Repairs_are_reported_per_tool()
    {
        var parsed = ReActParser.Parse("Thought: x\nAction: ocr\nAction Input: {'image': 'img1', // the photo\n");

        var action = Assert.Single(parsed.Actions);
        Assert.Equal("img1", action.Arguments["image"]);
        Assert.Contains("ocr: read single quotes as double quotes", parsed.Repairs);
        Assert.Contains("ocr: added the missing '}'", parsed.Repairs);
        Assert.Contains("ocr: removed comments", parsed.Repairs);
    }

    [Fact]
    public void A_clean_reply_reports_no_repairs()
    {
        var parsed = ReActParser.Parse("Thought: x\nAction: ocr\nAction Input: {\"image\": \"img1\"}");

        Assert.Empty(parsed.Repairs);
    }

    [Theory]
    [InlineData("Action: edit.remove\nAction Input: {\"image\": \"img1\", \"target\": \"the red", "'target'")]
    [InlineData("Action: edit.remove\nAction Input: {\"image\": \"img1\", \"image\": \"img2\"}", "'image' is given twice")]
    [InlineData("Action: edit.remove\nAction Input: {image: img1, target: cat, dog}", "'dog' has no value")]
    public void A_refusal_quotes_what_was_ambiguous(string reply, string quoted)
    {
        var parsed = ReActParser.Parse(reply);

        Assert.Empty(parsed.Actions);
        Assert.NotNull(parsed.Error);
        Assert.Contains(quoted, parsed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_loop_records_repairs_on_the_step()
    {
        using var harness = new AgentHarness();
        var replies = new Queue<string>(["Thought: x\nAction: edit.remove\nAction Input: {image: img1, target: 'cat'", "Final Answer: done"]);
        var chat = new VisionAgent.Testing.Llm.ScriptedChatService(responder: _ => replies.Dequeue());

        var result = await harness.Session(chat).AskAsync("remove the cat", null, CancellationToken.None);

        var step = Assert.Single(result.Steps);
        Assert.False(step.Failed, step.Observation);
        Assert.Contains("edit.remove: quoted bare keys", step.Repairs);
        Assert.Contains("edit.remove: added the missing '}'", step.Repairs);
    }
}
