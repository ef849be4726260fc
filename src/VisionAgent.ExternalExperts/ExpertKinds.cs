using VisionAgent.Abstractions;
using VisionAgent.ExternalExperts.Classifier;
using VisionAgent.ExternalExperts.Folders;
using VisionAgent.ExternalExperts.Remote;

namespace VisionAgent.ExternalExperts;

/// <summary>
/// Makes the plugin object (with its <c>[KernelFunction]</c> methods) behind a manifest-only plugin; the manifest
/// and settings reach it through <paramref name="context"/>.
/// </summary>
public delegate object ExpertKindFactory(PluginManifest plugin, ExpertContext context);

/// <summary>
/// The kinds a manifest-only plugin may name: the ones this project implements (<c>classifier</c>, <c>remote</c>)
/// plus those declared by the host's expert modules through <see cref="IExpertKindProvider"/> (such as <c>yolo</c>).
/// </summary>
public sealed class ExpertKinds
{
    public const string Code = "code";
    public const string Remote = "remote";

    private readonly Dictionary<string, ExpertKindFactory> _factories = new(StringComparer.OrdinalIgnoreCase)
    {
        ["classifier"] = ClassifierExpert.Create,
        [Remote] = RemoteExpert.Create,
    };

    public IReadOnlyCollection<string> Names => _factories.Keys;

    public ExpertKinds Register(string kind, ExpertKindFactory factory)
    {
        _factories[kind] = factory;
        return this;
    }

    /// <summary>Registers every kind <paramref name="module"/> declares, each made by the module from the plugin's context.</summary>
    public ExpertKinds Register(IExpertModule module)
    {
        if (module is IExpertKindProvider provider)
        {
            foreach (var kind in provider.ManifestKinds) Register(kind, (_, context) => module.CreatePlugin(context));
        }
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
