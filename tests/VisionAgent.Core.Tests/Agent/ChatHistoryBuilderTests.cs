using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using VisionAgent.Core.Agent;
using VisionAgent.Core.Prompts;
using VisionAgent.Testing;

namespace VisionAgent.Core.Tests.Agent;

public sealed class ChatHistoryBuilderTests
{
    private static AgentTurn Turn(string question, string? answer) => new(question, new AgentRunResult
    {
        Status = answer is null ? RunStatus.StepLimit : RunStatus.Answered,
        Answer = answer,
        Provider = "p",
        Model = "m",
    });

    [Fact]
    public async Task The_history_is_system_prompt_then_the_last_turns_then_the_question_then_the_exchanges()
    {
        var (host, _) = TestHosts.Create();
        await using var _host = host;
        host.Images.AddInput(RepositoryPaths.SampleImage("chelsea.png"));
        var builder = new ChatHistoryBuilder(host.Registry, host.Images, new AgentOptions { HistoryTurns = 2 });
        AgentTurn[] memory = [Turn("first?", "one"), Turn("second?", null), Turn("third?", "three")];
        ChatMessageContent[] exchanges = [new(AuthorRole.Assistant, "Thought: x\nAction: image_info"), new(AuthorRole.User, "Observation: y")];

        var history = builder.Build(PromptLibrary.Default.ReAct, includeTools: true, memory, "fourth?", exchanges);

        Assert.Equal(
            ["system", "user:second?", "assistant:(no answer: step_limit)", "user:third?", "assistant:three", "user:fourth?", "assistant:Thought: x\nAction: image_info", "user:Observation: y"],
            history.Select(m => m.Role == AuthorRole.System ? "system" : $"{m.Role}:{m.Content}"));
        var system = history[0].Content!;
        Assert.Contains("- image_info(image: image handle, e.g. img1)", system, StringComparison.Ordinal);
        Assert.Contains("- img1: chelsea.png (451x300 PNG)", system, StringComparison.Ordinal);
        Assert.Contains(UntrustedTextMarker.Begin, system, StringComparison.Ordinal);
        Assert.DoesNotContain("{{", system, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Native_tool_calling_leaves_the_catalog_out_and_an_empty_store_says_so()
    {
        var (host, _) = TestHosts.Create();
        await using var _host = host;
        var builder = new ChatHistoryBuilder(host.Registry, host.Images, new AgentOptions());

        var system = builder.SystemPrompt(PromptLibrary.Default.ReAct, includeTools: false);

        Assert.DoesNotContain("image_info(", system, StringComparison.Ordinal);
        Assert.Contains(PromptLibrary.Default.ReAct.NoImages, system, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_model_that_sees_gets_the_input_images_with_the_question_and_never_the_produced_ones()
    {
        var (host, _) = TestHosts.Create();
        await using var _host = host;
        var input = host.Images.AddInput(RepositoryPaths.SampleImage("chelsea.png"));
        var path = host.Images.NewOutputPath(input.Handle, "copy");
        VisionAgent.Abstractions.OutputFile.Copy(input.Path, path);
        host.Images.AddProduced(path, input.Handle, "test.copy", "edit", new Dictionary<string, string>());
        var builder = new ChatHistoryBuilder(host.Registry, host.Images, new AgentOptions { Vision = true });

        var history = builder.Build(PromptLibrary.Default.ReAct, includeTools: true, [], "what is it?", []);

        var question = history[^1];
        Assert.Equal("what is it?", Assert.IsType<TextContent>(question.Items[0]).Text);
        var image = Assert.IsType<ImageContent>(Assert.Single(question.Items.Skip(1)));
        Assert.Equal("image/png", image.MimeType);
        Assert.Equal(await File.ReadAllBytesAsync(input.Path), image.Data!.Value.ToArray());
        Assert.Contains("(but images are attached", history[0].Content, StringComparison.Ordinal);
    }
}
