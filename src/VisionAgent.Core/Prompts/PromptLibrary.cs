using VisionAgent.Abstractions;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace VisionAgent.Core.Prompts;

/// <summary>The ReAct prompt texts, loaded from <c>prompts/react.yaml</c>.</summary>
public sealed class ReActPrompt
{
    public string Name { get; init; } = "react";
    public required string System { get; init; }
    public string VisionNote { get; init; } = "";
    public string NoImages { get; init; } = "(none)";
    public string ToolLine { get; init; } = "- {{name}}({{parameters}}): {{description}}";
    public string Correction { get; init; } = "{{problem}}";
    public string ObservationPrefix { get; init; } = "Observation: ";

    /// <summary>What the model is told about actions of one reply that the step budget did not allow.</summary>
    public string SkippedActions { get; init; } = "{{skipped}} more action(s) were not run: the step budget of {{max_steps}} is spent.";
}

/// <summary>Finds and reads the prompt files; they ship beside the binaries under <c>prompts/</c>.</summary>
public sealed class PromptLibrary
{
    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .IgnoreUnmatchedProperties()
        .Build();

    public PromptLibrary(string? directory = null)
    {
        Directory = directory ?? Path.Combine(AppContext.BaseDirectory, "prompts");
        ReAct = Load<ReActPrompt>("react");
        Tools = Load<ReActPrompt>("tools");
    }

    public string Directory { get; }

    public ReActPrompt ReAct { get; }

    public ReActPrompt Tools { get; }

    public static PromptLibrary Default { get; } = new();

    public T Load<T>(string name)
    {
        var path = Path.Combine(Directory, name + ".yaml");
        if (!File.Exists(path)) throw new VisionAgentException($"prompt file missing: {path}");
        try
        {
            return Deserializer.Deserialize<T>(File.ReadAllText(path)) ?? throw new VisionAgentException($"prompt file is empty: {path}");
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            throw new VisionAgentException($"{path}:{ex.Start.Line}: invalid prompt file: {ex.Message}", inner: ex);
        }
    }

    /// <summary>Replaces {{name}} placeholders.</summary>
    public static string Fill(string template, IReadOnlyDictionary<string, string> values)
    {
        var text = template;
        foreach (var (key, value) in values) text = text.Replace("{{" + key + "}}", value, StringComparison.Ordinal);
        return text;
    }
}
