using System.CommandLine;
using VisionAgent.Abstractions;
using VisionAgent.Cli.Commands;

namespace VisionAgent.Cli;

/// <summary>Builds the command tree and runs it with the documented exit codes.</summary>
public static class CliApp
{
    public static RootCommand BuildRoot(TextReader? input = null)
    {
        var root = new RootCommand("VisionAgent: ask questions about images; an LLM plans, local vision experts act.");
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
        return root;
    }

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken, TextReader? input = null)
    {
        var root = BuildRoot(input);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            var message = string.Join(' ', parse.Errors[0].Message.Split(['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries).Select(p => p.Trim()));
            await error.WriteLineAsync($"error: {message} (see visionagent --help)");
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
