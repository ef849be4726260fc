using System.Diagnostics;
using VisionAgent.Testing;

namespace VisionAgent.Cli.Tests;

/// <summary>
/// The zsh and PowerShell scripts of <c>visionagent completion</c>, installed the way their comments say, in the real
/// shells: an interactive zsh in a terminal (<see cref="TmuxSession"/>) where Tab is pressed, and PowerShell's own
/// completion engine (<c>TabExpansion2</c>). <c>.ci/run</c> installs zsh, and PowerShell is the repository's local .NET
/// tool (<c>.config/dotnet-tools.json</c>), restored here when missing.
/// </summary>
public sealed class ShellCompletionTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("visionagent-shells-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("visionagent ask --mo", "visionagent ask --mode")]
    [InlineData("visionagent tool image_", "visionagent tool image_info")]
    [InlineData("visionagent models fetch oc", "visionagent models fetch ocr")]
    [InlineData("visionagent completion z", "visionagent completion zsh")]
    public async Task Zsh_completes_on_tab_after_sourcing_the_script(string typed, string completed)
    {
        Assert.True(OnPath("zsh"), "these tests need zsh (`apt-get install zsh`; .ci/run installs it)");
        var bin = CommandFolder();
        var zdot = Directory.CreateDirectory(Path.Combine(_folder, "zdot")).FullName;
        await File.WriteAllTextAsync(Path.Combine(zdot, ".zshrc"), $"""
            autoload -Uz compinit && compinit -u -d '{zdot}/.zcompdump'
            source <(visionagent completion zsh)
            PROMPT='zsh> '
            """);
        using var tmux = new TmuxSession();

        tmux.Start($"HOME='{_folder}' ZDOTDIR='{zdot}' PATH='{bin}':\"$PATH\" zsh -i", 120, 20, RepositoryPaths.Root);
        await tmux.WaitForScreenAsync(s => s.Contains("zsh>", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        tmux.SendKeys(typed, "Tab");
        var screen = await tmux.WaitForScreenAsync(s => s.Contains($"zsh> {completed}", StringComparison.Ordinal), TimeSpan.FromSeconds(60));

        Assert.Contains($"zsh> {completed}", screen, StringComparison.Ordinal);
        Assert.DoesNotContain("command not found", screen, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PowerShell_completes_through_the_registered_completer()
    {
        var bin = CommandFolder();
        var lines = new[] { "visionagent ask --mo", "visionagent tool image_", "visionagent models fetch oc", "visionagent ask --mode " };
        var command = $$"""
            visionagent completion pwsh | Out-String | Invoke-Expression
            foreach ($line in @({{string.Join(", ", lines.Select(l => $"'{l}'"))}})) {
                $found = (TabExpansion2 $line $line.Length).CompletionMatches | ForEach-Object CompletionText
                "$line=" + ($found -join ',')
            }
            """;

        var output = await RunPowerShellAsync(command, bin);

        Assert.Contains("visionagent ask --mo=--mode\n", output, StringComparison.Ordinal);
        Assert.Contains("visionagent tool image_=image_info\n", output, StringComparison.Ordinal);
        Assert.Contains("visionagent models fetch oc=ocr\n", output, StringComparison.Ordinal);
        Assert.Contains("visionagent ask --mode =react,tools\n", output, StringComparison.Ordinal);
    }

    private static bool OnPath(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(folder => File.Exists(Path.Combine(folder, command)));

    /// <summary>A folder holding a <c>visionagent</c> command that runs this build of the CLI, to put first on PATH.</summary>
    private string CommandFolder()
    {
        var bin = Directory.CreateDirectory(Path.Combine(_folder, "bin")).FullName;
        var command = Path.Combine(bin, "visionagent");
        File.WriteAllText(command, $"#!/bin/sh\nexec dotnet '{typeof(CliApp).Assembly.Location}' \"$@\"\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(command, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return bin;
    }

    private async Task<string> RunPowerShellAsync(string command, string bin)
    {
        var (code, output) = await RunAsync(["tool", "run", "pwsh", "--", "-NoProfile", "-NonInteractive", "-Command", command], bin);
        if (code != 0 && output.Contains("dotnet tool restore", StringComparison.Ordinal))
        {
            // A fresh clone: the local tool is not restored yet.
            var (restored, restoreOutput) = await RunAsync(["tool", "restore"], bin);
            Assert.True(restored == 0, $"`dotnet tool restore` failed (exit {restored}); run it from the repository root:\n{restoreOutput}");
            (code, output) = await RunAsync(["tool", "run", "pwsh", "--", "-NoProfile", "-NonInteractive", "-Command", command], bin);
        }
        Assert.True(code == 0, $"pwsh exited {code}:\n{output}");
        return output.Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    private async Task<(int ExitCode, string Output)> RunAsync(IEnumerable<string> arguments, string bin)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepositoryPaths.Root };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["PATH"] = $"{bin}{Path.PathSeparator}{Environment.GetEnvironmentVariable("PATH")}";
        // PowerShell keeps caches under the home folder: a temporary one, with the NuGet folder the tool is restored in.
        start.Environment["NUGET_PACKAGES"] = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        start.Environment["HOME"] = _folder;
        start.Environment["DOTNET_CLI_HOME"] = _folder;
        start.Environment["POWERSHELL_TELEMETRY_OPTOUT"] = "1";
        start.Environment["POWERSHELL_UPDATECHECK"] = "Off";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }
}
