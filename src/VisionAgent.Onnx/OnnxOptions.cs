namespace VisionAgent.Onnx;

/// <summary>Where and how every expert's models run; chosen once per process.</summary>
public sealed record OnnxOptions
{
    /// <summary>cpu or cuda.</summary>
    public string Device { get; init; } = "cpu";

    public int GpuId { get; init; }

    /// <summary>Intra-op threads; 0 lets ONNX Runtime choose.</summary>
    public int Threads { get; init; }

    public static OnnxOptions Default { get; } = new();
}
