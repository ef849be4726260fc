using Microsoft.SemanticKernel.ChatCompletion;
using VisionAgent.Core.Agent;
using VisionAgent.Core.Experts;
using VisionAgent.Core.Prompts;
using VisionAgent.Imaging;
using VisionAgent.Testing;
using VisionAgent.Testing.Llm;

namespace VisionAgent.Core.Tests.Offline;

public sealed class HistoryTrimmingTests
{
    [Fact]
    public async Task Old_turns_are_trimmed_but_every_image_handle_stays_in_the_prompt()
    {
        using var folder = new TestExpertHost();
        var images = new ImageHandleStore(Path.Combine(folder.Directory, "out"), new ImageLoader());
        images.AddInput(RepositoryPaths.SampleImage("chelsea.png"));
        var chat = new ScriptedChatService(responder: _ => "Final Answer: ok");
        var registry = new ExpertRegistry([], new DictionaryModelLocator());
        var session = new AgentSession(chat, new ToolInvoker(registry, images, new UntrustedTextMarker()), images, PromptLibrary.Default,
            new AgentOptions { HistoryTurns = 2 }, new LlmIdentity("scripted", "test"));

        for (var turn = 1; turn <= 4; turn++)
        {
            if (turn == 3) images.AddInput(RepositoryPaths.SampleImage("coins.png"));
            await session.AskAsync($"question {turn}", null, CancellationToken.None);
        }
        await session.AskAsync("question 5", null, CancellationToken.None);

        var last = chat.Calls[^1];
        var userTexts = last.Where(m => m.Role == AuthorRole.User).Select(m => m.Content).ToList();
        Assert.Equal(["question 3", "question 4", "question 5"], userTexts);
        var system = last[0].Content!;
        Assert.Contains("img1: chelsea.png", system);
        Assert.Contains("img2: coins.png", system);
        Assert.Equal(5, session.Turns.Count);
    }
}
