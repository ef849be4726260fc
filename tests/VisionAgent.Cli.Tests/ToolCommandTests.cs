using System.Text.Json;
using VisionAgent.Testing;

namespace VisionAgent.Cli.Tests;

public sealed class ToolCommandTests
{
    [Fact]
    public async Task Tool_runs_one_expert_without_an_llm()
    {
        var run = await CliRunner.RunAsync("tool", "image_info", "--image", RepositoryPaths.SampleImage("coffee.png"), "--json");

        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Output);
        Assert.True(doc.RootElement.GetProperty("ok").GetBoolean());
        var data = doc.RootElement.GetProperty("data");
        Assert.Equal(600, data.GetProperty("width").GetInt32());
        Assert.Equal(400, data.GetProperty("height").GetInt32());
        Assert.Equal("PNG", data.GetProperty("format").GetString());
    }

    [Fact]
    public async Task Unknown_tool_and_bad_arguments_exit_3()
    {
        var unknown = await CliRunner.RunAsync("tool", "teleport", "--image", RepositoryPaths.SampleImage("coffee.png"));
        var badArg = await CliRunner.RunAsync("tool", "image_info", "--image", RepositoryPaths.SampleImage("coffee.png"), "--arg", "nokey");
        var extraArg = await CliRunner.RunAsync("tool", "image_info", "--image", RepositoryPaths.SampleImage("coffee.png"), "--arg", "colour=blue");

        Assert.Equal(3, unknown.ExitCode);
        Assert.Contains("unknown tool 'teleport'", unknown.Error);
        Assert.Equal(3, badArg.ExitCode);
        Assert.Contains("--arg takes key=value", badArg.Error);
        Assert.Equal(3, extraArg.ExitCode);
        Assert.Contains("has no argument 'colour'", extraArg.Error);
    }

    [Fact]
    public async Task Tools_lists_experts_with_parameters_and_status()
    {
        var run = await CliRunner.RunAsync("tools", "--json");

        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Output);
        var info = doc.RootElement.EnumerateArray().Single(e => e.GetProperty("name").GetString() == "image_info");
        Assert.Equal("ready", info.GetProperty("status").GetString());
        var tool = Assert.Single(info.GetProperty("tools").EnumerateArray());
        Assert.Equal("image", tool.GetProperty("parameters")[0].GetProperty("name").GetString());
        Assert.True(tool.GetProperty("parameters")[0].GetProperty("required").GetBoolean());
    }

    [Fact]
    public async Task Tools_json_lists_only_snake_case_arguments_and_every_built_in_expert_loads()
    {
        var run = await CliRunner.RunAsync("tools", "--json");

        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Output);
        var experts = doc.RootElement.EnumerateArray().ToList();
        var names = experts.SelectMany(e => e.GetProperty("tools").EnumerateArray())
            .SelectMany(t => t.GetProperty("parameters").EnumerateArray())
            .Select(p => p.GetProperty("name").GetString()!)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        Assert.Contains("max_boxes", names);
        Assert.Contains("num_beams", names);
        Assert.All(names, name => Assert.Matches("^[a-z][a-z0-9]*(_[a-z0-9]+)*$", name));
        Assert.DoesNotContain(experts, e => e.GetProperty("origin").GetString() == "built-in" && e.GetProperty("status").GetString() == "broken");
    }

    [Fact]
    public async Task Tools_says_which_functions_of_a_ready_expert_still_need_models()
    {
        var json = await CliRunner.RunAsync("tools", "--json");
        var text = await CliRunner.RunAsync("tools");

        Assert.Equal(0, json.ExitCode);
        using var doc = JsonDocument.Parse(json.Output);
        var edit = doc.RootElement.EnumerateArray().Single(e => e.GetProperty("name").GetString() == "edit");
        Assert.Equal("ready", edit.GetProperty("status").GetString());
        Assert.Contains("inpaint needs models", edit.GetProperty("detail").GetString());
        var tools = edit.GetProperty("tools").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!);
        Assert.False(tools["edit.inpaint"].GetProperty("ready").GetBoolean());
        Assert.Contains("experts.edit.models", tools["edit.inpaint"].GetProperty("needs").GetString());
        Assert.True(tools["edit.crop"].GetProperty("ready").GetBoolean());
        Assert.False(tools["edit.crop"].TryGetProperty("needs", out var needs) && needs.ValueKind != JsonValueKind.Null);
        Assert.Contains(text.Output.Split('\n'), line => line.Contains("edit.inpaint", StringComparison.Ordinal) && line.Contains("needs models", StringComparison.Ordinal));
        Assert.DoesNotContain(text.Output.Split('\n'), line => line.Contains("edit.crop", StringComparison.Ordinal) && line.Contains("needs models", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Fetching_files_that_no_source_serves_is_one_line_that_says_how_to_give_them()
    {
        var run = await CliRunner.RunAsync("models", "fetch", "edit", "--group", "sd-inpaint");

        Assert.Equal(3, run.ExitCode);
        var line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("no download source is known", line);
        Assert.Contains("experts.edit.models", line);
        Assert.DoesNotContain("unexpected", line);
    }
}
