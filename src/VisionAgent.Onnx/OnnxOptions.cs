namespace VisionAgent.Onnx;

/// <summary>Where and how every expert's models run; chosen once per process.</summary>
public sealed record OnnxOptions
{
    /// <summary>cpu or cuda.</summary>
    public string Device { get; init; } = "cpu";

    public int GpuId { get; init; }

    /// <summary>Intra-op threads; 0 lets ONNX Runtime choose.</summary>
    public int Threads { get; init; }

    /// <summary>
    /// Folder where each model's optimised graph is saved the first time it is loaded on the CPU, and loaded from
    /// afterwards without optimising again; null turns this off. Saved graphs may use this machine's CPU features,
    /// so the folder belongs to one machine (it sits in the model cache).
    /// </summary>
    public string? OptimizedModelCache { get; init; }

    public static OnnxOptions Default { get; } = new();
}
