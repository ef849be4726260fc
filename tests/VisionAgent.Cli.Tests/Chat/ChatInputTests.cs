using VisionAgent.Cli.Chat;

namespace VisionAgent.Cli.Tests.Chat;

public sealed class ChatInputTests
{
    [Theory]
    [InlineData("/image samples/images/chelsea.png", "image", "samples/images/chelsea.png")]
    [InlineData("/image \"C:\\My Pics (2)\\cat.png\"", "image", "C:\\My Pics (2)\\cat.png")]
    [InlineData("/IMAGES", "images", "")]
    [InlineData("/tools", "tools", "")]
    [InlineData("/trace", "trace", "")]
    [InlineData("/save out/session.json", "save", "out/session.json")]
    [InlineData("/reset", "reset", "")]
    [InlineData("/help", "help", "")]
    [InlineData("/?", "help", "")]
    [InlineData("/exit", "exit", "")]
    [InlineData("/quit", "exit", "")]
    [InlineData("/frobnicate now", "unknown:frobnicate", "now")]
    public void Parses_slash_commands(string line, string command, string argument)
    {
        var input = ChatInput.Parse(line);

        Assert.Equal(command, input.Command);
        Assert.Equal(argument, input.Argument);
    }

    [Fact]
    public void A_message_that_starts_with_an_existing_path_is_a_message_not_a_command()
    {
        var input = ChatInput.Parse("/home/ann/cat.png what is this?", text => text.StartsWith("/home/ann/cat.png", StringComparison.Ordinal));

        Assert.False(input.IsCommand);
        Assert.Equal("/home/ann/cat.png what is this?", input.Text);
    }

    [Fact]
    public void Plain_text_is_a_message()
    {
        var input = ChatInput.Parse("  how big is it?  ");

        Assert.False(input.IsCommand);
        Assert.Equal("how big is it?", input.Text);
    }
}
