using System.CommandLine;
using System.Reflection;
using VisionAgent.ExternalExperts.Mcp;

namespace VisionAgent.Cli.Commands;

/// <summary><c>visionagent mcp</c>: serves every expert as an MCP tool over stdio (see McpToolServer for the result shape).</summary>
public static class McpCommand
{
    public static Command Create()
    {
        var command = new Command("mcp", "Serve every expert as an MCP tool over stdio: text, structured results under an output schema, produced images as links and image content");
        command.SetAction(RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        // Configured MCP servers are not started here: one of them may be this very command.
        await using var cli = await CliHost.CreateAsync(parse, cancellationToken, startMcpServers: false);
        var version = typeof(McpCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        await new McpToolServer(cli.Host.Registry, cli.Host.Invoker, cli.Host.Images).RunStdioAsync(version.Split('+')[0], cancellationToken);
        return 0;
    }
}
