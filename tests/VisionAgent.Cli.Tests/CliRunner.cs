namespace VisionAgent.Cli.Tests;

/// <summary>Runs the CLI in-process with captured output and a temporary data folder.</summary>
public static class CliRunner
{
    public sealed record Run(int ExitCode, string Output, string Error);

    public static async Task<Run> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var home = Path.Combine(Path.GetTempPath(), "visionagent-cli-tests", Guid.NewGuid().ToString("N"));
        // Each run gets its own data folder; the model cache stays the user's so real models are shared.
        var all = args.Contains("--output") ? args : [.. args, "--output", Path.Combine(home, "out")];
        var code = await CliApp.RunAsync(all, output, error, CancellationToken.None);
        return new Run(code, output.ToString(), error.ToString());
    }
}
