using VisionAgent.Abstractions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.EventEmitters;
using YamlDotNet.Serialization.NamingConventions;

namespace VisionAgent.Evaluation.Recording;

/// <summary>Reads and writes cassettes: one <c>TASK-ID.cassette.yaml</c> per task in a folder.</summary>
public static class CassetteStore
{
    public const string Extension = ".cassette.yaml";

    private static readonly ISerializer Serializer = new SerializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull)
        .WithQuotingNecessaryStrings()
        .DisableAliases()
        .WithEventEmitter(next => new BlockTextEmitter(next))
        .Build();

    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .WithDuplicateKeyChecking()
        .Build();

    public static string PathFor(string directory, string taskId) => Path.Combine(directory, taskId + Extension);

    public static string Serialize(Cassette cassette) => Serializer.Serialize(cassette);

    public static Cassette Deserialize(string text, string source)
    {
        try
        {
            return Deserializer.Deserialize<Cassette>(text) ?? throw new BadInputException($"{source}: the cassette is empty");
        }
        catch (YamlException ex)
        {
            throw new BadInputException($"{source}:{ex.Start.Line}: not a valid cassette ({ex.Message})", ex);
        }
    }

    public static async Task SaveAsync(string directory, Cassette cassette, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var path = PathFor(directory, cassette.Task);
        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, Serialize(cassette), cancellationToken);
        File.Move(temporary, path, overwrite: true);
    }

    public static async Task<Cassette> LoadAsync(string directory, string taskId, CancellationToken cancellationToken)
    {
        var path = PathFor(directory, taskId);
        if (!File.Exists(path))
            throw new BadInputException($"no cassette for task '{taskId}' ({path}); record one with --record {directory}");
        var cassette = Deserialize(await File.ReadAllTextAsync(path, cancellationToken), path);
        if (cassette.Format != Cassette.CurrentFormat)
            throw new BadInputException($"{path}: cassette format {cassette.Format} is not supported (expected {Cassette.CurrentFormat})");
        return cassette;
    }

    /// <summary>Writes multi-line texts (prompts, observations) as literal blocks so a changed line diffs as one line.</summary>
    private sealed class BlockTextEmitter(IEventEmitter next) : ChainedEventEmitter(next)
    {
        public override void Emit(ScalarEventInfo eventInfo, IEmitter emitter)
        {
            if (eventInfo.Source.Value is string text && text.Contains('\n', StringComparison.Ordinal))
                eventInfo.Style = ScalarStyle.Literal;
            base.Emit(eventInfo, emitter);
        }
    }
}
