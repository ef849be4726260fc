namespace VisionAgent.Plugins.Ocr.Tests;

public sealed class CtcDecoderTests
{
    // Classes: 0 blank, 1 'a', 2 'b', 3 'c', 4 space.
    private static readonly CtcDecoder Decoder = new(["a", "b", "c"]);

    private static float[] Steps(params (int Class, float P)[] steps)
    {
        var probabilities = new float[steps.Length * 5];
        for (var t = 0; t < steps.Length; t++)
        {
            var rest = (1 - steps[t].P) / 4;
            for (var c = 0; c < 5; c++) probabilities[t * 5 + c] = c == steps[t].Class ? steps[t].P : rest;
        }
        return probabilities;
    }

    [Fact]
    public void Repeats_collapse_blanks_separate_and_the_last_class_is_a_space()
    {
        var probabilities = Steps((1, 0.9f), (1, 0.8f), (0, 0.9f), (1, 0.7f), (4, 0.9f), (2, 0.6f), (2, 0.9f), (0, 0.99f), (3, 0.5f));

        var (text, confidence) = Decoder.Decode(probabilities, 9, 5);

        Assert.Equal("aa bc", text);
        Assert.Equal((0.9f + 0.7f + 0.9f + 0.6f + 0.5f) / 5, confidence, 5);
    }

    [Fact]
    public void Only_blanks_decode_to_nothing_with_zero_confidence()
    {
        var (text, confidence) = Decoder.Decode(Steps((0, 0.9f), (0, 0.9f)), 2, 5);

        Assert.Equal("", text);
        Assert.Equal(0f, confidence);
    }

    [Fact]
    public void A_likely_space_hidden_behind_a_blank_is_kept_when_asked()
    {
        var probabilities = Steps((1, 0.9f), (0, 0.6f), (2, 0.9f));
        probabilities[1 * 5 + 4] = 0.3f; // the space class is second best in the gap
        var recovering = new CtcDecoder(["a", "b", "c"], spaceThreshold: 0.15f);

        Assert.Equal("ab", Decoder.Decode(probabilities, 3, 5).Text);
        Assert.Equal("a b", recovering.Decode(probabilities, 3, 5).Text);
    }

    [Fact]
    public void A_weak_space_counts_only_in_a_gap_wider_than_the_lines_usual_gap()
    {
        // a _ b _ c _ _ _ a _ b : the usual gap is one blank step, the gap before the second a is three.
        var probabilities = Steps((1, 0.9f), (0, 0.9f), (2, 0.9f), (0, 0.9f), (3, 0.9f), (0, 0.9f), (0, 0.9f), (0, 0.9f), (1, 0.9f), (0, 0.9f), (2, 0.9f));
        probabilities[1 * 5 + 4] = 0.05f; // as likely a space inside the first word, but in a usual gap
        probabilities[6 * 5 + 4] = 0.05f;
        var decoder = new CtcDecoder(["a", "b", "c"], spaceThreshold: 0.15f, wideGapSpaceThreshold: 0.03f);
        var strongOnly = new CtcDecoder(["a", "b", "c"], spaceThreshold: 0.15f);

        Assert.Equal("abc ab", decoder.Decode(probabilities, 11, 5).Text);
        Assert.Equal("abcab", strongOnly.Decode(probabilities, 11, 5).Text);
    }

    [Fact]
    public void A_wide_gap_without_any_space_probability_is_no_space()
    {
        var probabilities = Steps((1, 0.9f), (0, 0.9f), (2, 0.9f), (0, 0.9f), (3, 0.9f), (0, 0.9f), (0, 0.9f), (0, 0.9f), (1, 0.9f));
        for (var t = 5; t < 8; t++) probabilities[t * 5 + 4] = 0.01f;
        var decoder = new CtcDecoder(["a", "b", "c"], spaceThreshold: 0.15f, wideGapSpaceThreshold: 0.03f);

        Assert.Equal("abca", decoder.Decode(probabilities, 9, 5).Text);
    }

    [Fact]
    public void Class_count_must_match_the_dictionary()
    {
        Assert.Throws<ArgumentException>(() => Decoder.Decode(new float[12], 2, 6));
    }

    [Fact]
    public void Dictionary_file_maps_class_i_to_line_i_minus_1()
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, "x\ny\n");
        try
        {
            var decoder = CtcDecoder.FromFile(path);
            Assert.Equal(4, decoder.ClassCount);
            Assert.Equal("y x", decoder.Decode(Steps4((2, 0.9f), (3, 0.9f), (1, 0.9f)), 3, 4).Text);
        }
        finally
        {
            File.Delete(path);
        }

        static float[] Steps4(params (int Class, float P)[] steps)
        {
            var p = new float[steps.Length * 4];
            for (var t = 0; t < steps.Length; t++) p[t * 4 + steps[t].Class] = steps[t].P;
            return p;
        }
    }
}
