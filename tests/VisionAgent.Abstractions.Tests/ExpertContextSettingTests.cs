using VisionAgent.Abstractions;
using VisionAgent.Testing;

namespace VisionAgent.Abstractions.Tests;

public sealed class ExpertContextSettingTests : IDisposable
{
    private readonly TestExpertHost _host = new();

    public void Dispose() => _host.Dispose();

    private ExpertContext Context(params (string Key, string Value)[] settings) =>
        _host.CreateContext(
            new ExpertManifest { Name = "detect", Description = "test expert" },
            settings.ToDictionary(s => s.Key, s => s.Value));

    [Theory]
    [InlineData("42", 42)]
    [InlineData(" -7 ", -7)]
    [InlineData("+3", 3)]
    public void Whole_numbers_are_read_in_the_invariant_culture(string text, int expected)
    {
        var context = Context(("size", text));

        Assert.Equal(expected, context.SettingInt("size"));
    }

    [Theory]
    [InlineData("0.45", 0.45f)]
    [InlineData("1e-3", 0.001f)]
    [InlineData(" 7.5 ", 7.5f)]
    [InlineData("-2", -2f)]
    public void Numbers_are_read_in_the_invariant_culture(string text, float expected)
    {
        var context = Context(("iou", text));

        Assert.Equal(expected, context.SettingFloat("iou"));
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("False", false)]
    [InlineData(" TRUE ", true)]
    public void Booleans_are_read_in_any_case(string text, bool expected)
    {
        var context = Context(("annotate", text));

        Assert.Equal(expected, context.SettingBool("annotate"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Blank_settings_read_as_absent(string text)
    {
        var context = Context(("iou", text));

        Assert.Null(context.SettingInt("iou"));
        Assert.Null(context.SettingFloat("iou"));
        Assert.Null(context.SettingBool("iou"));
    }

    [Fact]
    public void Missing_settings_read_as_absent_so_callers_pick_their_default()
    {
        var context = Context();

        Assert.Null(context.SettingInt("max_boxes", 1, 100));
        Assert.Null(context.SettingFloat("iou", 0, 1));
        Assert.Null(context.SettingBool("annotate"));
        Assert.Equal(100, context.SettingInt("max_boxes") ?? 100);
    }

    [Fact]
    public void Range_ends_are_included()
    {
        var context = Context(("low", "0"), ("high", "1"));

        Assert.Equal(0f, context.SettingFloat("low", 0, 1));
        Assert.Equal(1f, context.SettingFloat("high", 0, 1));
        Assert.Equal(0, context.SettingInt("low", 0, 1));
        Assert.Equal(1, context.SettingInt("high", 0, 1));
    }

    [Fact]
    public void A_malformed_number_names_the_expert_the_key_the_range_and_the_value()
    {
        var context = Context(("iou", "abc"));

        var error = Assert.Throws<BadInputException>(() => context.SettingFloat("iou", 0, 1));

        Assert.Equal("setting detect.iou must be a number from 0 to 1, not 'abc'", error.Message);
    }

    [Fact]
    public void A_comma_decimal_is_malformed_whatever_the_current_culture()
    {
        var context = Context(("iou", "0,5"));

        var error = Assert.Throws<BadInputException>(() => context.SettingFloat("iou", 0, 1));

        Assert.Equal("setting detect.iou must be a number from 0 to 1, not '0,5'", error.Message);
    }

    [Theory]
    [InlineData("1.5", 0f, 1f, "setting detect.iou must be a number from 0 to 1, not '1.5'")]
    [InlineData("-0.5", 0f, float.MaxValue, "setting detect.iou must be a number of at least 0, not '-0.5'")]
    [InlineData("250", float.MinValue, 200f, "setting detect.iou must be a number of at most 200, not '250'")]
    [InlineData("NaN", float.MinValue, float.MaxValue, "setting detect.iou must be a number, not 'NaN'")]
    [InlineData("Infinity", float.MinValue, float.MaxValue, "setting detect.iou must be a number, not 'Infinity'")]
    [InlineData("1e39", float.MinValue, float.MaxValue, "setting detect.iou must be a number, not '1e39'")]
    public void Numbers_out_of_range_are_refused(string text, float min, float max, string expected)
    {
        var context = Context(("iou", text));

        var error = Assert.Throws<BadInputException>(() => context.SettingFloat("iou", min, max));

        Assert.Equal(expected, error.Message);
    }

    [Theory]
    [InlineData("0", 1, 100, "setting detect.max_boxes must be a whole number from 1 to 100, not '0'")]
    [InlineData("-1", 0, int.MaxValue, "setting detect.max_boxes must be a whole number of at least 0, not '-1'")]
    [InlineData("65", int.MinValue, 64, "setting detect.max_boxes must be a whole number of at most 64, not '65'")]
    [InlineData("2.5", int.MinValue, int.MaxValue, "setting detect.max_boxes must be a whole number, not '2.5'")]
    [InlineData("9999999999", int.MinValue, int.MaxValue, "setting detect.max_boxes must be a whole number, not '9999999999'")]
    public void Whole_numbers_malformed_or_out_of_range_are_refused(string text, int min, int max, string expected)
    {
        var context = Context(("max_boxes", text));

        var error = Assert.Throws<BadInputException>(() => context.SettingInt("max_boxes", min, max));

        Assert.Equal(expected, error.Message);
    }

    [Theory]
    [InlineData("yes")]
    [InlineData("1")]
    public void Booleans_other_than_true_or_false_are_refused(string text)
    {
        var context = Context(("annotate", text));

        var error = Assert.Throws<BadInputException>(() => context.SettingBool("annotate"));

        Assert.Equal($"setting detect.annotate must be true or false, not '{text}'", error.Message);
    }
}
