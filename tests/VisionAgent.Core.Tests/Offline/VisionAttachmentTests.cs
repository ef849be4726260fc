using System.Text.Json;
using VisionAgent.Core.Agent;
using VisionAgent.Core.Configuration;
using VisionAgent.Core.Experts;
using VisionAgent.Core.Llm;
using VisionAgent.Core.Prompts;
using VisionAgent.Imaging;
using VisionAgent.Testing;
using VisionAgent.Testing.Llm;

namespace VisionAgent.Core.Tests.Offline;

public sealed class VisionAttachmentTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Input_images_reach_the_endpoint_as_image_url_parts_only_when_vision_is_on(bool vision)
    {
        using var server = new ScriptedChatServer([ScriptedResponse.Reply("Thought: I see a cat.\nFinal Answer: a cat")]);
        var (chat, identity, owner) = ChatServiceFactory.CreateOpenAi(new LlmConfig { Endpoint = server.Endpoint, Model = "test-vision", ApiKey = "k", MaxRetries = 0 });
        using var _ = owner;
        using var folder = new TestExpertHost();
        var images = new ImageHandleStore(Path.Combine(folder.Directory, "out"), new ImageLoader());
        images.AddInput(RepositoryPaths.SampleImage("chelsea.png"));
        var session = new AgentSession(chat, new ToolInvoker(new ExpertRegistry([], new DictionaryModelLocator()), images, new UntrustedTextMarker()),
            images, PromptLibrary.Default, new AgentOptions { Vision = vision }, identity);

        var result = await session.AskAsync("what animal is this?", null, CancellationToken.None);

        Assert.Equal("a cat", result.Answer);
        using var request = JsonDocument.Parse(server.Requests.Single());
        var messages = request.RootElement.GetProperty("messages").EnumerateArray().ToList();
        var user = messages.Last(m => m.GetProperty("role").GetString() == "user").GetProperty("content");
        var system = messages[0].GetProperty("content").GetString()!;
        if (vision)
        {
            Assert.Equal(JsonValueKind.Array, user.ValueKind);
            var parts = user.EnumerateArray().ToList();
            Assert.Equal("what animal is this?", parts.Single(p => p.GetProperty("type").GetString() == "text").GetProperty("text").GetString());
            var url = parts.Single(p => p.GetProperty("type").GetString() == "image_url").GetProperty("image_url").GetProperty("url").GetString();
            Assert.StartsWith("data:image/png;base64,", url);
            Assert.Contains("images are attached to the user's message", system);
        }
        else
        {
            Assert.DoesNotContain("image_url", user.GetRawText());
            Assert.DoesNotContain("images are attached", system);
        }
    }
}
