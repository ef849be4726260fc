using System.Text.Json;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using VisionAgent.Testing;

namespace VisionAgent.Cli.Tests;

/// <summary>
/// <c>ask --llm offline</c> with the real edit and image_info experts: the produced pixels are what the words asked
/// for, and a run without an answer says so in its status and exit code.
/// </summary>
public sealed class OfflinePlannerAskTests
{
    private static async Task<(CliRunner.Run Run, JsonElement Root)> AskAsync(string question, params string[] images)
    {
        var args = new List<string> { "ask", "--json", "--llm", "offline", "--offline" };
        foreach (var image in images) args.AddRange(["--image", RepositoryPaths.SampleImage(image)]);
        args.Add(question);
        var run = await CliRunner.RunAsync([.. args]);
        return (run, JsonDocument.Parse(run.Output).RootElement.Clone());
    }

    private static string ProducedPath(JsonElement root, string handle) =>
        root.GetProperty("images").EnumerateArray().First(i => i.GetProperty("handle").GetString() == handle).GetProperty("path").GetString()!;

    private static string LastAction(JsonElement root) => root.GetProperty("steps").EnumerateArray().Last().GetProperty("action").GetString()!;

    [Fact]
    public async Task Rotating_by_180_degrees_gives_the_input_turned_180_and_says_so_in_the_users_words()
    {
        var (run, root) = await AskAsync("Rotate it by 180°", "chelsea.png");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("answered", root.GetProperty("status").GetString());
        Assert.Equal("edit.rotate", LastAction(root));
        Assert.Equal("Rotated img1 by 180 degrees: img2 (451x300).", root.GetProperty("answer").GetString());
        using var input = Image.Load<Rgb24>(RepositoryPaths.SampleImage("chelsea.png"));
        using var output = Image.Load<Rgb24>(ProducedPath(root, "img2"));
        Assert.Equal((input.Width, input.Height), (output.Width, output.Height));
        var differing = 0;
        for (var y = 0; y < input.Height; y++)
        {
            for (var x = 0; x < input.Width; x++)
            {
                if (output[x, y] != input[input.Width - 1 - x, input.Height - 1 - y]) differing++;
            }
        }
        Assert.Equal(0, differing);
    }

    [Theory]
    [InlineData("Brighten the photo", 1)]
    [InlineData("make it slightly dimmer", -1)]
    public async Task Graded_brightness_words_move_the_mean_brightness_the_way_they_say(string question, int direction)
    {
        var (run, root) = await AskAsync(question, "chelsea.png");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("edit.adjust", LastAction(root));
        var before = MeanBrightness(RepositoryPaths.SampleImage("chelsea.png"));
        var after = MeanBrightness(ProducedPath(root, "img2"));
        Assert.True(direction > 0 ? after > before + 5 : after < before - 2, $"mean brightness {before:0.0} -> {after:0.0}");
    }

    [Fact]
    public async Task Resizing_to_640_pixels_wide_keeps_the_aspect()
    {
        var (run, root) = await AskAsync("Resize it to 640 pixels wide", "chelsea.png");

        Assert.Equal(0, run.ExitCode);
        using var output = Image.Load<Rgb24>(ProducedPath(root, "img2"));
        Assert.Equal((640, 426), (output.Width, output.Height));
        Assert.Equal("Resized img1 to 640x426: img2.", root.GetProperty("answer").GetString());
    }

    [Fact]
    public async Task Shrinking_to_a_quarter_scales_both_sides()
    {
        var (_, root) = await AskAsync("shrink it to a quarter of its size", "chelsea.png");

        using var output = Image.Load<Rgb24>(ProducedPath(root, "img2"));
        Assert.Equal((113, 75), (output.Width, output.Height));
    }

    [Fact]
    public async Task Cropping_to_four_numbers_crops_to_that_box()
    {
        var (run, root) = await AskAsync("crop it to 10,20,110,70", "chelsea.png");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("edit.crop", LastAction(root));
        using var input = Image.Load<Rgb24>(RepositoryPaths.SampleImage("chelsea.png"));
        using var output = Image.Load<Rgb24>(ProducedPath(root, "img2"));
        Assert.Equal((100, 50), (output.Width, output.Height));
        Assert.Equal(input[10, 20], output[0, 0]);
        Assert.Equal(input[109, 69], output[99, 49]);
    }

    [Fact]
    public async Task A_blue_background_is_blue_and_the_subject_is_kept()
    {
        var (run, root) = await AskAsync("Give it a blue background", "chelsea.png");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("edit.background", LastAction(root));
        var edited = root.GetProperty("images").EnumerateArray().Last(i => i.TryGetProperty("op", out var op) && op.GetString() == "edit.background");
        var (background, kept, total) = BackgroundAndKept(edited.GetProperty("path").GetString()!, new Rgb24(0, 0, 255));
        Assert.True(background > total / 10, $"{background} of {total} pixels are blue");
        Assert.Equal(total, background + kept);
    }

    [Fact]
    public async Task Requests_in_turn_each_work_on_the_picture_the_one_before_made()
    {
        var (run, root) = await AskAsync("rotate it 90 degrees, make it black and white, then make it half the size", "chelsea.png");

        Assert.Equal(0, run.ExitCode);
        var steps = root.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal(["edit.rotate", "edit.adjust", "edit.resize"], steps.Select(s => s.GetProperty("action").GetString()));
        Assert.Contains("\"image\":\"img2\"", steps[1].GetProperty("input").GetString());
        Assert.Contains("\"image\":\"img3\"", steps[2].GetProperty("input").GetString());
        Assert.EndsWith("Resized img3 to 150x226: img4.", root.GetProperty("answer").GetString());
        // Turned a quarter, grey, then halved: 451x300 -> 300x451 -> 150x226, every pixel grey.
        using var output = Image.Load<Rgb24>(ProducedPath(root, "img4"));
        Assert.Equal((150, 226), (output.Width, output.Height));
        var coloured = 0;
        output.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                foreach (var p in rows.GetRowSpan(y)) if (Math.Max(Math.Abs(p.R - p.G), Math.Abs(p.G - p.B)) > 2) coloured++;
            }
        });
        Assert.Equal(0, coloured);
    }

    [Fact]
    public async Task A_new_background_after_a_cut_out_uses_the_cut_outs_mask_on_the_original()
    {
        var (run, root) = await AskAsync("cut the cat out and put it on a green background", "chelsea.png");

        Assert.Equal(0, run.ExitCode);
        var steps = root.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal(["segment", "edit.background"], steps.Select(s => s.GetProperty("action").GetString()));
        var background = JsonDocument.Parse(steps[1].GetProperty("input").GetString()!).RootElement;
        Assert.Equal(("img1", "img2", "green"), (background.GetProperty("image").GetString(), background.GetProperty("mask").GetString(), background.GetProperty("color").GetString()));
        var (green, kept, total) = BackgroundAndKept(ProducedPath(root, "img5"), new Rgb24(0, 128, 0));
        Assert.True(green > total / 10 && kept > total / 2, $"{green} green, {kept} kept of {total}");
        Assert.Equal(total, green + kept);
    }

    [Fact]
    public async Task A_question_about_both_images_runs_on_each_and_answers_side_by_side()
    {
        var (run, root) = await AskAsync("how big are both images?", "chelsea.png", "coffee.png");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["image_info", "image_info"], root.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("action").GetString()));
        var answer = root.GetProperty("answer").GetString()!;
        Assert.Contains("img1 (chelsea.png): img1: PNG 451x300", answer);
        Assert.Contains("img2 (coffee.png): img2: PNG 600x400", answer);
    }

    [Theory]
    [InlineData("write a poem about this cat", "declined", "--llm-endpoint")]
    [InlineData("rotate it 90 degrees and then write a poem about it", "declined", "--llm-endpoint")]
    [InlineData("is this picture sharp or blurry?", "declined", "--llm-endpoint")]
    [InlineData("flip it horizontally", "unanswered", "None of the experts here can do that")]
    [InlineData("sharpen the photo", "unanswered", "None of the experts here can do that")]
    public async Task A_question_no_expert_can_serve_runs_nothing_and_ends_with_its_own_status_and_exit_code(string question, string status, string said)
    {
        var (run, root) = await AskAsync(question, "chelsea.png");

        Assert.Equal(7, run.ExitCode);
        Assert.Equal(status, root.GetProperty("status").GetString());
        // Nothing ran, not even the part an expert could have done.
        Assert.Empty(root.GetProperty("steps").EnumerateArray());
        Assert.Single(root.GetProperty("images").EnumerateArray());
        Assert.Contains(said, root.GetProperty("answer").GetString());
    }

    [Fact]
    public async Task In_text_mode_a_declined_run_is_not_headed_as_an_answer()
    {
        var run = await CliRunner.RunAsync("ask", "--llm", "offline", "--offline", "--image", RepositoryPaths.SampleImage("chelsea.png"), "tell me a joke about this cat");

        Assert.Equal(7, run.ExitCode);
        Assert.Contains("── No answer (declined) ──", run.Output);
        Assert.DoesNotContain("── Answer ──", run.Output);
    }

    [Fact]
    public async Task A_missing_value_is_asked_for_and_the_run_is_unanswered()
    {
        var (run, root) = await AskAsync("rotate it", "chelsea.png");

        Assert.Equal(7, run.ExitCode);
        Assert.Equal("unanswered", root.GetProperty("status").GetString());
        Assert.Empty(root.GetProperty("steps").EnumerateArray());
        Assert.StartsWith("I need the angle (say it like", root.GetProperty("answer").GetString());
    }

    /// <summary>Pixels of an edit of chelsea.png that are the background colour, and those left as they were.</summary>
    private static (int Background, int Kept, int Total) BackgroundAndKept(string path, Rgb24 colour)
    {
        using var input = Image.Load<Rgb24>(RepositoryPaths.SampleImage("chelsea.png"));
        using var output = Image.Load<Rgb24>(path);
        int background = 0, kept = 0;
        for (var y = 0; y < input.Height; y++)
        {
            for (var x = 0; x < input.Width; x++)
            {
                if (output[x, y] == colour) background++;
                else if (output[x, y] == input[x, y]) kept++;
            }
        }
        return (background, kept, input.Width * input.Height);
    }

    private static double MeanBrightness(string path)
    {
        using var image = Image.Load<Rgb24>(path);
        double sum = 0;
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                foreach (var p in rows.GetRowSpan(y)) sum += 0.299 * p.R + 0.587 * p.G + 0.114 * p.B;
            }
        });
        return sum / (image.Width * image.Height);
    }
}
