using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;
using VisionAgent.Testing;

namespace VisionAgent.Cli.Tests;

/// <summary>
/// Tab completion through the <c>[suggest:POSITION]</c> directive (static and expert-dependent candidates), the
/// scripts <c>completion SHELL</c> prints (the bash one run in a real bash), and <c>--version</c>.
/// </summary>
public sealed class CompletionAndVersionTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("visionagent-completion-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("visionagent ask --mo", new[] { "--mode" })]
    [InlineData("visionagent ask --l", new[] { "--llm", "--llm-endpoint", "--llm-model", "--llm-vision" })]
    [InlineData("visionagent ask --mode ", new[] { "react", "tools" })]
    [InlineData("visionagent chat --mode t", new[] { "tools" })]
    [InlineData("visionagent --device ", new[] { "cpu", "cuda" })]
    [InlineData("visionagent ask --llm o", new[] { "offline", "openai" })]
    [InlineData("visionagent completion ", new[] { "bash", "pwsh", "zsh" })]
    [InlineData("visionagent models ", new[] { "fetch", "list", "verify" })]
    [InlineData("visionagent eval ", new[] { "compare", "merge" })]
    [InlineData("visionagent ev", new[] { "eval" })]
    [InlineData("./visionagent ev", new[] { "eval" })]
    public async Task Suggest_directive_completes_commands_options_and_choices(string line, string[] expected)
    {
        var candidates = await SuggestAsync(line);

        // The directive offers every candidate that contains the word; the shell scripts keep those that start with it.
        var word = line.EndsWith(' ') ? "" : line.Split(' ')[^1];
        Assert.Equal(expected, candidates.Where(c => c.StartsWith(word, StringComparison.Ordinal)).Where(c => !c.StartsWith('-') || word.StartsWith('-')).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Suggest_directive_lists_every_command()
    {
        var candidates = await SuggestAsync("visionagent ");

        foreach (var command in new[] { "ask", "chat", "tool", "tools", "models", "eval", "mcp", "plugin", "sessions", "completion", "--version", "--config" })
            Assert.Contains(command, candidates);
    }

    [Fact]
    public async Task Tool_names_are_completed_from_the_experts_present()
    {
        var all = await SuggestAsync("visionagent tool ");
        var some = await SuggestAsync("visionagent tool im");

        Assert.Contains("image_info", all);
        Assert.Contains("ocr", all);
        Assert.Contains("edit", all);
        Assert.Contains(all, c => c.StartsWith("edit.", StringComparison.Ordinal));
        Assert.Equal(new[] { "image_info" }, some.Where(c => c.StartsWith("im", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Models_fetch_completes_the_experts_that_have_models()
    {
        var candidates = await SuggestAsync("visionagent models fetch ");

        Assert.Contains("ocr", candidates);
        Assert.Contains("segment", candidates);
        Assert.DoesNotContain("image_info", candidates);
    }

    [Fact]
    public async Task Broken_configuration_gives_no_expert_names_and_no_error()
    {
        var config = Path.Combine(_folder, "broken.yaml");
        await File.WriteAllTextAsync(config, "agent:\n  max_steps: ten\n");

        var line = $"visionagent tool --config {config} ";
        var (code, output, error) = await UsageErrorTests.RunAsync($"[suggest:{line.Length}]", line);

        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.DoesNotContain("image_info", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bash", "complete -o default -o bashdefault -F _visionagent_complete visionagent")]
    [InlineData("zsh", "compdef _visionagent visionagent")]
    [InlineData("pwsh", "Register-ArgumentCompleter -Native -CommandName visionagent")]
    public async Task Completion_prints_the_shell_script(string shell, string registration)
    {
        var (code, output, error) = await UsageErrorTests.RunAsync("completion", shell);

        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Contains(registration, output, StringComparison.Ordinal);
        Assert.Contains("[suggest:", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("visionagent ask --mo", "--mode")]
    [InlineData("visionagent tool image_", "image_info")]
    [InlineData("visionagent models fetch oc", "ocr")]
    public async Task Bash_script_completes_in_a_real_bash(string line, string expected)
    {
        // "visionagent" is this build of the CLI, run as the launcher script runs it.
        var script = Path.Combine(_folder, "visionagent.bash");
        await File.WriteAllTextAsync(script, (await UsageErrorTests.RunAsync("completion", "bash")).Output);
        var words = line.Split(' ');
        var driver = $"""
            visionagent() {"{"} dotnet '{typeof(CliApp).Assembly.Location}' "$@"; {"}"}
            source '{script}'
            COMP_LINE='{line}'
            COMP_POINT=${"{#COMP_LINE}"}
            COMP_WORDS=({string.Join(' ', words.Select(w => $"'{w}'"))})
            COMP_CWORD={words.Length - 1}
            _visionagent_complete
            printf '%s\n' "${"{COMPREPLY[@]}"}"
            """;

        var start = new ProcessStartInfo("bash", ["-c", driver]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var bash = Process.Start(start)!;
        var output = await bash.StandardOutput.ReadToEndAsync();
        var error = await bash.StandardError.ReadToEndAsync();
        await bash.WaitForExitAsync();

        Assert.True(bash.ExitCode == 0, error);
        Assert.Equal(new[] { expected }, output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Version_prints_the_informational_version()
    {
        var (code, output, error) = await UsageErrorTests.RunAsync("--version");

        var informational = typeof(CliApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        var prefix = Regex.Match(await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "Directory.Build.props")), "<VersionPrefix>([^<]+)</VersionPrefix>").Groups[1].Value;
        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Equal(informational, output.Trim());
        Assert.Matches($"^{Regex.Escape(prefix)}(-[0-9A-Za-z.-]+)?(\\+[0-9a-f]{{7,40}})?$", output.Trim());
    }

    [Fact]
    public async Task Version_with_a_command_is_a_usage_error()
    {
        var (code, output, error) = await UsageErrorTests.RunAsync("ask", "--version");

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.StartsWith("error: unknown option '--version' for 'ask'", error, StringComparison.Ordinal);
    }

    private static async Task<IReadOnlyList<string>> SuggestAsync(string line)
    {
        var (code, output, error) = await UsageErrorTests.RunAsync($"[suggest:{line.Length}]", line);
        Assert.True(code == 0, $"exit {code}: {error}");
        Assert.Equal("", error);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
