using VisionAgent.Abstractions;
using YamlDotNet.RepresentationModel;

namespace VisionAgent.ExternalExperts.Folders;

/// <summary>A plugin folder's <c>expert.yaml</c>: the manifest, its folder, and the optional <c>remote:</c> section.</summary>
public sealed record PluginManifest(ExpertManifest Manifest, string Folder, IReadOnlyDictionary<string, string> Remote)
{
    public string ManifestPath => Path.Combine(Folder, "expert.yaml");

    /// <summary>A path the manifest names, relative to its folder.</summary>
    public string Resolve(string relative) => Path.GetFullPath(Path.Combine(Folder, relative));

    /// <summary>
    /// Reads a manifest; the <c>remote:</c> section (url, model, version, timeout_seconds, retries, input, output,
    /// processing) is taken out first because the shared schema does not know it.
    /// </summary>
    public static PluginManifest Read(string path)
    {
        var text = File.ReadAllText(path);
        var remote = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        YamlStream stream = [];
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            throw new BadInputException($"{path}:{ex.Start.Line}: invalid YAML: {ex.Message.Split('\n')[0]}", ex);
        }
        if (stream.Documents.Count == 1 && stream.Documents[0].RootNode is YamlMappingNode root &&
            root.Children.TryGetValue(new YamlScalarNode("remote"), out var section))
        {
            if (section is not YamlMappingNode mapping)
                throw new BadInputException($"{path}: 'remote' must be a mapping of url, model, version, ...");
            foreach (var (key, value) in mapping.Children)
            {
                if (key is YamlScalarNode { Value: { } k } && value is YamlScalarNode { Value: { } v }) remote[k] = v;
                else throw new BadInputException($"{path}: 'remote' entries must be plain key: value pairs");
            }
            root.Children.Remove(new YamlScalarNode("remote"));
            var writer = new StringWriter();
            new YamlStream(stream.Documents[0]).Save(writer, assignAnchors: false);
            text = writer.ToString();
        }
        var manifest = ExpertManifestReader.Parse(text, path);
        return new PluginManifest(manifest, Path.GetDirectoryName(Path.GetFullPath(path))!, remote);
    }
}
