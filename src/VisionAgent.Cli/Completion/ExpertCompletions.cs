using System.CommandLine.Completions;
using VisionAgent.Abstractions;
using VisionAgent.Core.Configuration;
using VisionAgent.Hosting;

namespace VisionAgent.Cli.Completion;

/// <summary>
/// Tab completions that depend on the experts this configuration has (built-in, plugin folders, remote): tool
/// names for <c>tool</c>, experts with model files for <c>models fetch</c>. The host is built as <c>tools</c>
/// builds it, without starting MCP servers or fetching anything.
/// </summary>
public static class ExpertCompletions
{
    /// <summary>A completion that takes longer than this gives nothing rather than hang the shell.</summary>
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(15);

    /// <summary>Every tool (<c>ocr</c>, <c>edit.background</c>) and every expert name (<c>edit</c> with <c>--arg op=NAME</c>).</summary>
    public static IEnumerable<CompletionItem> ToolNames(CompletionContext context) =>
        FromHost(context, host => host.Registry.Tools.Select(t => t.Name).Concat(host.Registry.Experts.Select(e => e.Manifest.Name)));

    /// <summary>The experts that have model files to fetch.</summary>
    public static IEnumerable<CompletionItem> ExpertsWithModels(CompletionContext context) =>
        FromHost(context, host => host.Models.Manifests.Where(m => m.Models.Count > 0).Select(m => m.Name));

    private static List<CompletionItem> FromHost(CompletionContext context, Func<AgentHost, IEnumerable<string>> names)
    {
        VisionAgentConfig config;
        try
        {
            config = ConfigLoader.Load(GlobalOptions.Overrides(context.ParseResult));
        }
        catch (BadInputException)
        {
            // A broken configuration is reported when the command runs; in the middle of a typed line it only means
            // there is nothing to offer.
            return [];
        }
        using var timeout = new CancellationTokenSource(Budget);
        var options = CliHost.HostOptions(context.ParseResult, config) with { OfflineModels = true, StartMcpServers = false, Warn = null };
        // Completion sources are synchronous; this runs once, in a process that exits right after.
        var host = AgentHost.CreateAsync(options, timeout.Token).GetAwaiter().GetResult();
        try
        {
            return [.. names(host)
                .Distinct(StringComparer.Ordinal)
                .Where(n => n.StartsWith(context.WordToComplete, StringComparison.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal)
                .Select(n => new CompletionItem(n))];
        }
        finally
        {
            host.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
