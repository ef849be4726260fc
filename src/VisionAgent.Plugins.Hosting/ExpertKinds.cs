using VisionAgent.Abstractions;
using VisionAgent.Plugins.Hosting.Classifier;
using VisionAgent.Plugins.Hosting.Folders;
using VisionAgent.Plugins.Hosting.Remote;

namespace VisionAgent.Plugins.Hosting;

/// <summary>Makes the module behind a manifest-only plugin; the manifest and settings reach it through its <see cref="ExpertContext"/>.</summary>
public delegate IExpertModule ExpertKindFactory(PluginManifest plugin);

/// <summary>
/// The kinds a manifest-only plugin may name. A built-in expert whose module reads everything from its context
/// (manifest, settings, model files) is registered with one line, for example <c>["yolo"] = _ => new DetectExpertModule()</c>.
/// </summary>
public sealed class ExpertKinds
{
    public const string Code = "code";
    public const string Remote = "remote";

    private readonly Dictionary<string, ExpertKindFactory> _factories = new(StringComparer.OrdinalIgnoreCase)
    {
        ["classifier"] = plugin => new ClassifierExpertModule(plugin),
        [Remote] = plugin => new RemoteExpertModule(plugin),
    };

    public static ExpertKinds Default { get; } = new();

    public IReadOnlyCollection<string> Names => _factories.Keys;

    public ExpertKinds Register(string kind, ExpertKindFactory factory)
    {
        _factories[kind] = factory;
        return this;
    }

    /// <summary>The module for a manifest: a <c>remote:</c> section makes any kind run on the inference server.</summary>
    public IExpertModule Create(PluginManifest plugin)
    {
        var kind = plugin.Remote.Count > 0 ? Remote : plugin.Manifest.Kind;
        if (!_factories.TryGetValue(kind, out var factory))
            throw new BadInputException($"unknown expert kind '{plugin.Manifest.Kind}'; known kinds: {Code}, {string.Join(", ", _factories.Keys.Order(StringComparer.Ordinal))}");
        return factory(plugin);
    }
}
