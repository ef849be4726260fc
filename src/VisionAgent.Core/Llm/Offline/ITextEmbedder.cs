namespace VisionAgent.Core.Llm.Offline;

/// <summary>Turns sentences into unit-length vectors whose dot product measures similarity of meaning.</summary>
public interface ITextEmbedder
{
    /// <summary>A short name for traces (the model).</summary>
    string Name { get; }

    float[][] Embed(IReadOnlyList<string> texts, CancellationToken cancellationToken);
}
