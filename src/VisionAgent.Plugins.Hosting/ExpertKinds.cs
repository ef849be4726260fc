using VisionAgent.Abstractions;
using VisionAgent.Plugins.Detect;
using VisionAgent.Plugins.Hosting.Classifier;
using VisionAgent.Plugins.Hosting.Folders;
using VisionAgent.Plugins.Hosting.Remote;

namespace VisionAgent.Plugins.Hosting;

/// <summary>
/// Makes the plugin object (with its <c>[KernelFunction]</c> methods) behind a manifest-only plugin; the manifest
/// and settings reach it through <paramref name="context"/>. A delegate rather than an <see cref="IExpertModule"/>
/// so this assembly, named like the expert assemblies, holds no module the host would take for a built-in expert.
/// </summary>
public delegate object ExpertKindFactory(PluginManifest plugin, ExpertContext context);

/// <summary>
/// The kinds a manifest-only plugin may name. A built-in expert whose module reads everything from its context
/// (manifest, settings, model files) is registered with one line, for example
/// <c>["yolo"] = (_, context) => new DetectExpertModule().CreatePlugin(context)</c>.
/// </summary>
public sealed class ExpertKinds
{
    public const string Code = "code";
    public const string Remote = "remote";

    private readonly Dictionary<string, ExpertKindFactory> _factories = new(StringComparer.OrdinalIgnoreCase)
    {
        ["classifier"] = ClassifierExpert.Create,
        ["yolo"] = (_, context) => new DetectExpertModule().CreatePlugin(context),
        [Remote] = RemoteExpert.Create,
    };

    public static ExpertKinds Default { get; } = new();

    public IReadOnlyCollection<string> Names => _factories.Keys;

    public ExpertKinds Register(string kind, ExpertKindFactory factory)
    {
        _factories[kind] = factory;
        return this;
    }

    /// <summary>The plugin object for a manifest: a <c>remote:</c> section makes any kind run on the inference server.</summary>
    public object CreatePlugin(PluginManifest plugin, ExpertContext context)
    {
        var kind = plugin.Remote.Count > 0 ? Remote : plugin.Manifest.Kind;
        if (!_factories.TryGetValue(kind, out var factory))
            throw new BadInputException($"unknown expert kind '{plugin.Manifest.Kind}'; known kinds: {Code}, {string.Join(", ", _factories.Keys.Order(StringComparer.Ordinal))}");
        return factory(plugin, context);
    }
}
