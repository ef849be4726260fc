using Microsoft.ML.OnnxRuntime;
using VisionAgent.Core.Configuration;
using VisionAgent.Core.Llm.Offline;

namespace VisionAgent.Hosting;

/// <summary>Builds the offline planner for a host: MiniLM embeddings when they load, keywords otherwise.</summary>
public static class OfflinePlannerFactory
{
    public static OfflinePlanner Create(AgentHost host, Action<string>? warn = null, OfflinePlannerOptions? options = null)
    {
        var planner = new OfflinePlanner(host.Registry, TryLoadEmbedder(host, warn), host.Marker, options);
        foreach (var problem in planner.Index.Problems) warn?.Invoke(problem);
        return planner;
    }

    /// <summary>The embedder, or null (with a warning) when its model cannot be written or loaded.</summary>
    public static ITextEmbedder? TryLoadEmbedder(AgentHost host, Action<string>? warn)
    {
        try
        {
            return MiniLmEmbedder.Load(host.Onnx, DataFolders.Models(host.Config, host.Home));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or BadImageFormatException or OnnxRuntimeException)
        {
            warn?.Invoke($"the offline planner falls back to keywords: the sentence-embedding model did not load ({ex.Message.Split('\n')[0]})");
            return null;
        }
    }
}
