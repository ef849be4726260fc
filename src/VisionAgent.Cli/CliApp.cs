using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Reflection;
using VisionAgent.Abstractions;
using VisionAgent.Cli.Commands;

namespace VisionAgent.Cli;

/// <summary>Builds the command tree and runs it with the documented exit codes.</summary>
public static class CliApp
{
    /// <summary>The command's name, as installed and as the launcher script runs it.</summary>
    public const string ProgramName = "visionagent";

    /// <summary>The informational version: the package version, and the commit it was built from when the build knew it (<c>0.9.0+1a2b3c...</c>).</summary>
    public static string Version { get; } =
        typeof(CliApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(CliApp).Assembly.GetName().Version?.ToString(3)
        ?? "0.0.0";

    public static RootCommand BuildRoot(TextReader? input = null)
    {
        var root = new RootCommand("VisionAgent: ask questions about images; an LLM plans, local vision experts act.");
        // A completion request carries the whole line as typed ("visionagent ask --mo"); the parser drops its first
        // word only when that is the root's name, which is the host executable's name when run through `dotnet`.
        if (root.Name != ProgramName) root.Aliases.Add(ProgramName);
        foreach (var option in root.Options.OfType<VersionOption>()) option.Action = new PrintVersionAction();
        // "/?" and "/h" were offered by tab completion before every command; -h, -? and --help remain.
        foreach (var option in root.Options.OfType<HelpOption>())
        {
            option.Aliases.Remove("/?");
            option.Aliases.Remove("/h");
        }
        foreach (var option in GlobalOptions.All) root.Options.Add(option);
        root.Subcommands.Add(AskCommand.Create());
        root.Subcommands.Add(ToolsCommand.Create());
        root.Subcommands.Add(ToolCommand.Create());
        root.Subcommands.Add(ModelsCommand.Create());
        root.Subcommands.Add(ChatCommand.Create(input));
        root.Subcommands.Add(SessionsCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(McpCommand.Create());
        root.Subcommands.Add(PluginCommand.Create());
        root.Subcommands.Add(CompletionCommand.Create());
        return root;
    }

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken, TextReader? input = null)
    {
        var root = BuildRoot(input);
        var parse = root.Parse(args);
        // Help, --version and the [suggest] directive answer whatever else the line holds.
        if (parse.Action is not { ClearsParseErrors: true } && UsageErrors.Describe(parse) is { } problem)
        {
            await error.WriteLineAsync($"error: {problem}");
            return ExitCodes.Usage;
        }
        var configuration = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        // chat handles Ctrl+C itself (it cancels the running turn, not the session).
        if (parse.CommandResult.Command.Name == "chat") configuration.ProcessTerminationTimeout = null;
        try
        {
            return await parse.InvokeAsync(configuration, cancellationToken);
        }
        catch (VisionAgentException ex)
        {
            await error.WriteLineAsync($"error: {ex.Message}");
            return ex.ExitCode;
        }
        catch (OperationCanceledException)
        {
            await error.WriteLineAsync("cancelled");
            return ExitCodes.LimitReached;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Top of the process: one line for the user, never a stack trace.
            await error.WriteLineAsync($"error: unexpected failure ({ex.GetType().Name}: {ex.Message.Split('\n')[0]})");
            return ExitCodes.Unexpected;
        }
    }
}

/// <summary><c>--version</c>: the informational version of this build, whatever the host process is called.</summary>
internal sealed class PrintVersionAction : SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        parseResult.InvocationConfiguration.Output.WriteLine(CliApp.Version);
        return 0;
    }
}
