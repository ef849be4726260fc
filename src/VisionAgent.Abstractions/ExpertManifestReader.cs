using YamlDotNet.Core;

namespace VisionAgent.Abstractions;

/// <summary>Reads <c>expert.yaml</c> manifests, with errors that name the file and line.</summary>
public static class ExpertManifestReader
{
    public static ExpertManifest Parse(string yaml, string source)
    {
        ExpertManifest? manifest;
        var reader = new ManifestYamlReader(yaml);
        try
        {
            manifest = reader.Read();
        }
        catch (YamlException ex)
        {
            var detail = ex.InnerException?.Message ?? ex.Message;
            throw new BadInputException($"{source}:{ex.Start.Line}: invalid expert manifest: {FirstLine(detail)}", ex);
        }
        catch (ManifestFormatException ex)
        {
            throw new BadInputException($"{source}:{ex.Line}: invalid expert manifest: {ex.Message}", ex);
        }
        catch (InvalidOperationException ex)
        {
            // YamlDotNet's scanner throws this, without a position, on some unclosed flow collections.
            throw new BadInputException($"{source}:{reader.Line}: invalid expert manifest: an unclosed '[' or '{{' or another structure the YAML reader cannot follow, at or after this line", ex);
        }
        if (manifest is null)
            throw new BadInputException($"{source}: the expert manifest is empty");
        if (!IsToolName(manifest.Name))
            throw new BadInputException($"{source}: expert name '{manifest.Name}' must be lower-case letters, digits and underscores");
        foreach (var model in manifest.Models)
        {
            if (model.Sha256 is { } sha && (sha.Length != 64 || !sha.All(Uri.IsHexDigit)))
                throw new BadInputException($"{source}: model '{model.Name}' has a malformed sha256");
        }
        foreach (var rule in manifest.Routing)
        {
            foreach (var (parameter, slot) in rule.Slots)
            {
                if (!IsToolName(parameter) || !IsToolName(slot))
                    throw new BadInputException($"{source}: slot '{parameter}: {slot}' must name a parameter and a slot type in lower-case letters, digits and underscores");
            }
            foreach (var needed in rule.Require)
            {
                if (needed.Split('|').Any(p => !IsToolName(p.Trim())))
                    throw new BadInputException($"{source}: require entry '{needed}' must be parameter names separated by |");
            }
        }
        return manifest;
    }

    public static ExpertManifest ReadFile(string path) => Parse(File.ReadAllText(path), path);

    /// <summary>Reads the manifest embedded as <c>expert.yaml</c> in a plugin assembly.</summary>
    public static ExpertManifest ReadEmbedded(System.Reflection.Assembly assembly)
    {
        var name = assembly.GetManifestResourceNames().FirstOrDefault(n => n.EndsWith("expert.yaml", StringComparison.Ordinal))
            ?? throw new VisionAgentException($"{assembly.GetName().Name} embeds no expert.yaml");
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), $"{assembly.GetName().Name}/expert.yaml");
    }

    public static bool IsToolName(string name) =>
        name.Length is > 0 and <= 40 && char.IsAsciiLetterLower(name[0]) &&
        name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_');

    private static string FirstLine(string text)
    {
        var end = text.IndexOfAny(['\r', '\n']);
        return end < 0 ? text : text[..end];
    }
}
