using VisionAgent.Cli.Rendering;

namespace VisionAgent.Cli.Tests;

public sealed class PluginCommandTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "va-plugin-cli " + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public async Task A_name_in_another_case_is_refused_with_the_snake_case_suggestion()
    {
        var run = await CliRunner.RunAsync("plugin", "new", "MyExpert", "--output", Path.Combine(_root, "x"));

        Assert.Equal(3, run.ExitCode);
        Assert.Equal("error: plugin name 'MyExpert' must be lower-case letters, digits and underscores, starting with a letter (did you mean my_expert?)", run.Error.Trim());
        Assert.False(Directory.Exists(Path.Combine(_root, "x")));
    }

    [Fact]
    public async Task A_built_in_expert_name_is_refused_in_one_line()
    {
        var run = await CliRunner.RunAsync("plugin", "new", "image_info", "--output", Path.Combine(_root, "x"));

        Assert.Equal(3, run.ExitCode);
        Assert.Single(run.Error.Trim().Split('\n'));
        Assert.StartsWith("error: plugin name 'image_info' is taken by a built-in expert (", run.Error, StringComparison.Ordinal);
        Assert.Contains("ocr", run.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_root, "x")));
    }

    [Fact]
    public async Task Next_steps_quote_paths_for_the_shell_and_ask_for_the_seam_package_when_the_feed_lacks_it()
    {
        var folder = Path.Combine(_root, "it's mine", "my_expert");
        var feed = Path.Combine(_root, "empty feed");

        var run = await CliRunner.RunAsync("plugin", "new", "my_expert", "--output", folder, "--feed", feed);

        Assert.Equal(0, run.ExitCode);
        var quoted = "'" + folder.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
        Assert.Contains($"  dotnet build {quoted}\n", run.Output, StringComparison.Ordinal);
        Assert.Contains($"  export VISIONAGENT_PLUGINS={quoted}", run.Output, StringComparison.Ordinal);
        Assert.Contains("the feed has no VisionAgent.Abstractions", run.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(folder, "MyExpert.csproj")));
        Assert.True(File.Exists(Path.Combine(folder, "tests", "MyExpert.Tests", "MyExpert.Tests.csproj")));
    }

    [Fact]
    public async Task No_feed_writes_no_nuget_config_and_says_where_the_seam_comes_from()
    {
        var folder = Path.Combine(_root, "plain");

        var run = await CliRunner.RunAsync("plugin", "new", "image_hash", "--output", folder, "--no-feed");

        Assert.Equal(0, run.ExitCode);
        Assert.False(File.Exists(Path.Combine(folder, "nuget.config")));
        Assert.Contains("is taken from your NuGet sources", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("the feed has no", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Feed_and_no_feed_together_are_refused()
    {
        var run = await CliRunner.RunAsync("plugin", "new", "image_hash", "--output", Path.Combine(_root, "x"), "--feed", _root, "--no-feed");

        Assert.Equal(3, run.ExitCode);
        Assert.Equal("error: --feed and --no-feed exclude each other: give one of them", run.Error.Trim());
        Assert.False(Directory.Exists(Path.Combine(_root, "x")));
    }

    [Fact]
    public async Task Plugin_list_shows_a_named_folder_that_holds_no_plugin()
    {
        Directory.CreateDirectory(_root);
        var missing = Path.Combine(_root, "no such folder");
        var config = Path.Combine(_root, "visionagent.yaml");
        await File.WriteAllTextAsync(config, $"plugins: ['{missing}']\n");

        var run = await CliRunner.RunAsync("plugin", "list", "--config", config);
        var json = await CliRunner.RunAsync("plugin", "list", "--json", "--config", config);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains($"{missing} (config) skipped: does not exist", run.Output, StringComparison.Ordinal);
        Assert.Contains($"warning: plugin folder skipped: plugins: entry {missing}: does not exist", run.Error, StringComparison.Ordinal);
        using var document = System.Text.Json.JsonDocument.Parse(json.Output);
        var folder = document.RootElement.GetProperty("folders").EnumerateArray().Single(f => f.GetProperty("path").GetString() == missing);
        Assert.Equal("config", folder.GetProperty("origin").GetString());
        Assert.Equal("does not exist", folder.GetProperty("problem").GetString());
    }

    [Theory]
    [InlineData("/home/ann/plugins", "/home/ann/plugins", "/home/ann/plugins")]
    [InlineData("/tmp/my plugins", "'/tmp/my plugins'", "'/tmp/my plugins'")]
    [InlineData("/tmp/it's", "'/tmp/it'\\''s'", "'/tmp/it''s'")]
    [InlineData("/tmp/$HOME", "'/tmp/$HOME'", "'/tmp/$HOME'")]
    [InlineData(@"C:\plugins", @"'C:\plugins'", @"C:\plugins")]
    [InlineData("", "''", "''")]
    public void Words_are_quoted_only_when_the_shell_would_change_them(string word, string posix, string powerShell) =>
        Assert.Equal(OperatingSystem.IsWindows() ? powerShell : posix, ShellWords.Quote(word));

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}
