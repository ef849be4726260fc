using VisionAgent.Abstractions;
using VisionAgent.Core.Configuration;
using VisionAgent.Core.Experts;
using VisionAgent.ExternalExperts.Folders;
using VisionAgent.ExternalExperts.Mcp;

namespace VisionAgent.ExternalExperts;

/// <summary>
/// The experts from outside the build, found at start-up: plugin folders and configured MCP servers. One set may
/// serve many hosts in a process (each evaluation task has its own host): the MCP servers start once, and each
/// host gets its own expert instances over its own image store.
/// </summary>
public sealed class ExternalExpertSources : IAsyncDisposable
{
    private ExternalExpertSources(PluginCatalog plugins, McpServerExperts mcp)
    {
        Plugins = plugins;
        Mcp = mcp;
    }

    public PluginCatalog Plugins { get; }

    public McpServerExperts Mcp { get; }

    /// <summary>No plugin folders and no MCP servers.</summary>
    public static ExternalExpertSources None { get; } = new(PluginCatalog.Empty, McpServerExperts.None);

    /// <summary>
    /// Scans the plugin folders and, when <paramref name="startMcpServers"/> is true, starts the configured MCP servers;
    /// false for <c>visionagent mcp</c>, which must not start servers (one of them may be itself).
    /// <paramref name="builtInNames"/> are the built-in experts, whose own source folders are not plugins.
    /// </summary>
    public static async Task<ExternalExpertSources> DiscoverAsync(
        VisionAgentConfig config, IReadOnlySet<string> builtInNames, bool startMcpServers, CancellationToken cancellationToken)
    {
        var plugins = PluginCatalog.Scan(PluginFolders.Resolve(config), builtInNames);
        var mcp = startMcpServers && config.McpServers.Count > 0
            ? await McpServerExperts.StartAsync(config.McpServers, TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false)
            : McpServerExperts.None;
        return new ExternalExpertSources(plugins, mcp);
    }

    /// <summary>The plugins' own model files, overlaid by the user's <c>--model</c> flags.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> ModelOverrides(IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> fromFlags)
    {
        var merged = new Dictionary<string, IReadOnlyDictionary<string, string>>(Plugins.LocalModelFiles(), StringComparer.OrdinalIgnoreCase);
        foreach (var (expert, models) in fromFlags)
        {
            var combined = merged.TryGetValue(expert, out var local)
                ? new Dictionary<string, string>(local, StringComparer.OrdinalIgnoreCase)
                : new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (name, path) in models) combined[name] = path;
            merged[expert] = combined;
        }
        return merged;
    }

    /// <summary>One host's instances of these experts: plugins get contexts from <paramref name="contextFactory"/>, MCP tools register images in <paramref name="images"/>.</summary>
    public IReadOnlyList<ExpertEntry> CreateEntries(Func<ExpertManifest, ExpertContext> contextFactory, IImageStore images, ExpertKinds kinds) =>
        Plugins.CreateEntries(contextFactory, kinds).Concat(Mcp.CreateEntries(images)).ToList();

    public ValueTask DisposeAsync() => Mcp.DisposeAsync();
}
