using VisionAgent.Evaluation.Scoring;
using VisionAgent.Evaluation.Tasks;

namespace VisionAgent.Evaluation.Tests;

public sealed class AnswerMatcherTests
{
    [Theory]
    [InlineData("  A  Cat. ", "a cat", true)]
    [InlineData("\"PNG\"", "png", true)]
    [InlineData("a cat!", "A CAT", true)]
    [InlineData("a dog", "a cat", false)]
    [InlineData("a cat sitting", "a cat", false)]
    public void Exact_compares_normalised_text(string answer, string expected, bool passes)
    {
        var result = AnswerMatcher.Match(new ExactExpectation(expected), answer);

        Assert.Equal(passes, result.Passed);
        Assert.Equal("exact", result.Name);
    }

    [Fact]
    public void Normalise_collapses_whitespace_lowercases_and_strips_quotes_and_final_stop()
    {
        Assert.Equal("two cats on a sofa", AnswerMatcher.Normalise(" 'Two\n cats\ton  a SOFA.' "));
    }

    [Theory]
    [InlineData("Bright.", true)]
    [InlineData("it is bright", true)]
    [InlineData("quite bright", false)]
    public void AnyOf_passes_when_the_answer_equals_one_option(string answer, bool passes)
    {
        var result = AnswerMatcher.Match(new AnyOfExpectation(["bright", "it is bright"]), answer);

        Assert.Equal(passes, result.Passed);
    }

    [Fact]
    public void ContainsAll_names_the_missing_parts()
    {
        var expectation = new ContainsAllExpectation(["451", "300", "PNG"]);

        var pass = AnswerMatcher.Match(expectation, "A png of 451 x 300 pixels");
        var fail = AnswerMatcher.Match(expectation, "451 wide");

        Assert.True(pass.Passed);
        Assert.False(fail.Passed);
        Assert.Contains("'300'", fail.Detail, StringComparison.Ordinal);
        Assert.Contains("'PNG'", fail.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("451x300 pixels", true)]
    [InlineData("451 BY 300", true)]
    [InlineData("300x451", false)]
    public void Regex_is_case_insensitive(string answer, bool passes)
    {
        var result = AnswerMatcher.Match(new RegexExpectation(@"451\s*(x|by)\s*300"), answer);

        Assert.Equal(passes, result.Passed);
    }

    [Theory]
    [InlineData("There are 24 coins.", 24, 0, true)]
    [InlineData("I count 23 coins", 24, 1, true)]
    [InlineData("I count 21 coins", 24, 2, false)]
    [InlineData("twelve", 12, 0, true)]
    [InlineData("about 1,024 pixels", 1024, 0, true)]
    [InlineData("-3.5 degrees", -3.5, 0, true)]
    [InlineData("no idea", 3, 5, false)]
    public void Number_finds_any_number_within_tolerance(string answer, double value, double tolerance, bool passes)
    {
        var result = AnswerMatcher.Match(new NumberExpectation(value, tolerance), answer);

        Assert.Equal(passes, result.Passed);
    }

    [Fact]
    public void Any_accepts_every_answer_and_null_answers_fail_text_matchers()
    {
        Assert.True(AnswerMatcher.Match(new AnyAnswerExpectation(), null).Passed);
        Assert.False(AnswerMatcher.Match(new ContainsAllExpectation(["x"]), null).Passed);
    }

    [Theory]
    [InlineData("PASS: names the cat", true, "names the cat")]
    [InlineData("**fail** - wrong colour", false, "wrong colour")]
    [InlineData("The answer seems fine", false, "the judge gave no verdict: 'The answer seems fine'")]
    public void Judge_verdicts_are_parsed(string reply, bool passes, string detail)
    {
        var result = LlmJudge.Parse(reply);

        Assert.Equal(passes, result.Passed);
        Assert.Equal(detail, result.Detail);
    }
}
