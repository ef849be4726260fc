using System.CommandLine;
using VisionAgent.Cli.Completion;

namespace VisionAgent.Cli.Commands;

/// <summary><c>visionagent completion bash|zsh|pwsh</c>: prints the script that turns on tab completion in that shell.</summary>
public static class CompletionCommand
{
    public static readonly Argument<string> Shell = new("shell") { Description = "The shell: bash, zsh or pwsh" };

    // Once per process: the symbols are shared by every command tree built (tests build many, in parallel).
    static CompletionCommand() => Shell.AcceptOnlyFromAmong([.. CompletionScripts.Shells]);

    public static Command Create()
    {
        var command = new Command("completion", "Print a script that turns on tab completion (source <(visionagent completion bash), or zsh, or pwsh)") { Shell };
        command.SetAction(parse =>
        {
            parse.InvocationConfiguration.Output.WriteLine(CompletionScripts.For(parse.GetValue(Shell)!));
            return 0;
        });
        return command;
    }
}
