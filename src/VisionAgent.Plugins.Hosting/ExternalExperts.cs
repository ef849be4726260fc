using VisionAgent.Abstractions;
using VisionAgent.Core.Configuration;
using VisionAgent.Core.Experts;
using VisionAgent.Core.Hosting;
using VisionAgent.Plugins.Hosting.Folders;
using VisionAgent.Plugins.Hosting.Mcp;

namespace VisionAgent.Plugins.Hosting;

/// <summary>
/// The experts from outside the build, found at start-up: plugin folders and configured MCP servers. Hand
/// <see cref="ModelOverrides"/> and <see cref="CreateEntries"/> to <see cref="AgentHost.Create"/> (as its expertFactory).
/// </summary>
public sealed class ExternalExperts : IDisposable
{
    private ExternalExperts(PluginCatalog plugins, McpServerExperts mcp)
    {
        Plugins = plugins;
        Mcp = mcp;
    }

    public PluginCatalog Plugins { get; }

    public McpServerExperts Mcp { get; }

    public ExpertKinds Kinds { get; init; } = ExpertKinds.Default;

    /// <summary>Scans the plugin folders and, when <paramref name="startMcpServers"/> is true, starts the configured MCP servers; false for <c>visionagent mcp</c>, which must not start servers (one of them may be itself).</summary>
    public static ExternalExperts Discover(VisionAgentConfig config, bool startMcpServers, CancellationToken cancellationToken = default)
    {
        var builtIn = BuiltInNames();
        var plugins = PluginCatalog.Scan(PluginFolders.Resolve(config), builtIn);
        var mcp = startMcpServers && config.McpServers.Count > 0
            ? McpServerExperts.StartAsync(config.McpServers, TimeSpan.FromSeconds(60), cancellationToken).GetAwaiter().GetResult()
            : McpServerExperts.None;
        return new ExternalExperts(plugins, mcp);
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

    public IEnumerable<ExpertEntry> CreateEntries(AgentHost host) =>
        Plugins.CreateEntries(host.CreateContext, Kinds).Concat(Mcp.CreateEntries(host.Images)).ToList();

    public void Dispose() => Mcp.DisposeAsync().AsTask().GetAwaiter().GetResult();

    private static HashSet<string> BuiltInNames()
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var assembly in BuiltInExperts.Discover())
        {
            try
            {
                names.Add(ExpertManifestReader.ReadEmbedded(assembly).Name);
            }
            catch (VisionAgentException)
            {
                // The host reports an assembly without a manifest; here it only means no name to reserve.
            }
        }
        return names;
    }
}
