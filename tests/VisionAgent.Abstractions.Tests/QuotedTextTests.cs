namespace VisionAgent.Abstractions.Tests;

public sealed class QuotedTextTests
{
    [Theory]
    [InlineData("chelsea.png", "chelsea.png")]
    [InlineData("IMG_2024 (1).jpg", "IMG_2024 (1).jpg")]
    [InlineData("a\nb.png", "\"a\\nb.png\"")]
    [InlineData("say \"hi\".png", "\"say \\\"hi\\\".png\"")]
    [InlineData("back\\slash", "\"back\\\\slash\"")]
    [InlineData("bell\u0007.png", "\"bell\\u0007.png\"")]
    [InlineData("line\u2028sep", "\"line\\u2028sep\"")]
    [InlineData("hidden\u202Eexe.png", "\"hiddenexe.png\"")]
    [InlineData(" leading", "\" leading\"")]
    [InlineData("", "\"\"")]
    public void Names_are_shown_plain_or_quoted_on_one_line(string name, string expected) =>
        Assert.Equal(expected, QuotedText.Name(name));

    [Fact]
    public void Long_text_is_cut_and_says_so()
    {
        var quoted = QuotedText.Quote(new string('a', 500), maxLength: 10);

        Assert.Equal("\"aaaaaaaaaa…\"", quoted);
    }

    [Fact]
    public void A_long_plain_name_is_quoted_and_cut()
    {
        var name = new string('b', 200);

        Assert.Equal(123, QuotedText.Name(name).Length);
    }
}
