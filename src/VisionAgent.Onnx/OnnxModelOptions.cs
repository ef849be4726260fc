using Microsoft.ML.OnnxRuntime;
using VisionAgent.Abstractions;

namespace VisionAgent.Onnx;

/// <summary>
/// Session settings for one model, chosen by the expert that owns it (from its manifest settings): some models run
/// best with the runtime's defaults, others trade a little speed for a lot of memory.
/// </summary>
public sealed record OnnxModelOptions
{
    public GraphOptimizationLevel Optimization { get; init; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>The CPU arena keeps every activation buffer of a run for the next one: faster repeats, a higher floor.</summary>
    public bool MemoryArena { get; init; } = true;

    /// <summary>Plans one block for a run's activations from the first run's shapes.</summary>
    public bool MemoryPattern { get; init; } = true;

    /// <summary>Intra-op threads for this model; 0 takes the process-wide choice.</summary>
    public int Threads { get; init; }

    /// <summary>
    /// Whether idle intra-op threads spin waiting for work (the runtime's own default) instead of sleeping. Off here:
    /// spinning shaves latency off each parallel step but burns CPU time that a machine with few cores needs
    /// elsewhere; measured on 2 cores it doubled a recognition run's CPU time and cost ISNet about 0.6 s per process.
    /// </summary>
    public bool Spinning { get; init; }

    /// <summary>
    /// On the CPU, run a float16 model with float32 weights: the CPU has few float16 kernels, so the runtime
    /// otherwise casts around nearly every node on every run.
    /// </summary>
    public bool WidenFloat16 { get; init; }

    /// <summary>
    /// On the CPU, save the graph after the portable optimisations once (beside the model, in <c>.optimized/</c>)
    /// and load that file afterwards, so later processes skip most of the session set-up.
    /// </summary>
    public bool CacheOptimized { get; init; }

    /// <summary>
    /// With <see cref="CacheOptimized"/> and optimisation <c>all</c>, save the graph after every optimisation,
    /// including the layout transforms made for this CPU's vector width (the file name carries it), so a load does
    /// no graph work at all; otherwise those transforms are redone at every load.
    /// </summary>
    public bool CacheLayout { get; init; }

    public static OnnxModelOptions Default { get; } = new();

    /// <summary>
    /// Reads <c>{prefix}optimization</c> (all, extended, basic, none), <c>{prefix}memory_arena</c>,
    /// <c>{prefix}memory_pattern</c>, <c>{prefix}threads</c>, <c>{prefix}spinning</c>, <c>{prefix}widen_fp16</c>,
    /// <c>{prefix}cache_optimized</c> and <c>{prefix}cache_layout</c> from the expert's settings; a missing key keeps
    /// <see cref="Default"/>.
    /// </summary>
    public static OnnxModelOptions FromSettings(ExpertContext context, string prefix)
    {
        ArgumentNullException.ThrowIfNull(context);
        var defaults = Default;
        var level = context.Setting(prefix + "optimization")?.Trim().ToLowerInvariant();
        return new OnnxModelOptions
        {
            Optimization = level switch
            {
                null or "" => defaults.Optimization,
                "all" => GraphOptimizationLevel.ORT_ENABLE_ALL,
                "extended" => GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
                "basic" => GraphOptimizationLevel.ORT_ENABLE_BASIC,
                "none" => GraphOptimizationLevel.ORT_DISABLE_ALL,
                _ => throw new BadInputException($"setting {context.Manifest.Name}.{prefix}optimization must be all, extended, basic or none, not '{level}'"),
            },
            MemoryArena = context.SettingBool(prefix + "memory_arena") ?? defaults.MemoryArena,
            MemoryPattern = context.SettingBool(prefix + "memory_pattern") ?? defaults.MemoryPattern,
            Threads = context.SettingInt(prefix + "threads", 0, 256) ?? defaults.Threads,
            Spinning = context.SettingBool(prefix + "spinning") ?? defaults.Spinning,
            WidenFloat16 = context.SettingBool(prefix + "widen_fp16") ?? defaults.WidenFloat16,
            CacheOptimized = context.SettingBool(prefix + "cache_optimized") ?? defaults.CacheOptimized,
            CacheLayout = context.SettingBool(prefix + "cache_layout") ?? defaults.CacheLayout,
        };
    }
}
