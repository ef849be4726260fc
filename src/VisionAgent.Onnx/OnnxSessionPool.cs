using System.Collections.Concurrent;
using Microsoft.ML.OnnxRuntime;
using VisionAgent.Abstractions;

namespace VisionAgent.Onnx;

/// <summary>
/// One <see cref="InferenceSession"/> per model file, created on first use and shared (Run is thread-safe).
/// Session options and the execution provider are decided here and nowhere else.
/// </summary>
public sealed class OnnxSessionPool : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<InferenceSession>> _sessions = new(StringComparer.Ordinal);
    /// <summary>Larger models (diffusion UNets) stay out of the optimised-model cache: a second copy of gigabytes is not worth the disk, and a graph over 2 GB cannot be saved as one protobuf.</summary>
    private const long MaxOptimizedModelBytes = 512L << 20;
    private readonly Action<string>? _warn;
    private int _cudaFailed;

    public OnnxSessionPool(OnnxOptions? options = null, Action<string>? warn = null)
    {
        Options = options ?? OnnxOptions.Default;
        _warn = warn;
        if (Options.Device is not ("cpu" or "cuda"))
            throw new BadInputException($"unknown device '{Options.Device}': use cpu or cuda");
    }

    public OnnxOptions Options { get; }

    /// <summary>The provider sessions actually use: cuda only when it loaded.</summary>
    public string ActiveDevice => Options.Device == "cuda" && Volatile.Read(ref _cudaFailed) == 0 ? "cuda" : "cpu";

    public int LoadedCount => _sessions.Count(s => s.Value.IsValueCreated);

    public InferenceSession Get(string modelPath) => Get(modelPath, OnnxModelOptions.Default);

    /// <summary>The model's session, created with <paramref name="model"/>'s settings on first use (later calls share it).</summary>
    public InferenceSession Get(string modelPath, OnnxModelOptions model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var key = Path.GetFullPath(modelPath);
        var lazy = _sessions.GetOrAdd(key, k => new Lazy<InferenceSession>(() => Create(k, model), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return lazy.Value;
        }
        catch
        {
            _sessions.TryRemove(new KeyValuePair<string, Lazy<InferenceSession>>(key, lazy));
            throw;
        }
    }

    /// <summary>Frees a model's session (large UNets after use, say); the next Get loads it again.</summary>
    public bool Unload(string modelPath)
    {
        if (_sessions.TryRemove(Path.GetFullPath(modelPath), out var lazy) && lazy.IsValueCreated)
        {
            lazy.Value.Dispose();
            return true;
        }
        return false;
    }

    public void Dispose()
    {
        foreach (var lazy in _sessions.Values)
        {
            if (lazy.IsValueCreated) lazy.Value.Dispose();
        }
        _sessions.Clear();
    }

    private InferenceSession Create(string path, OnnxModelOptions model)
    {
        if (!File.Exists(path))
            throw new BadInputException($"model file not found: {path}");
        try
        {
            // The derived files are CPU variants: a GPU runs the model as published. A model's own request (its
            // expert's settings) keeps the file beside the model; the process-wide cache keeps it in its folder.
            if (ActiveDevice == "cpu")
            {
                if (model.WidenFloat16 || model.CacheOptimized)
                    return DerivedModelFiles.CreateSession(path, model, () => CreateSessionOptions(model), _warn);
                if (Options.OptimizedModelCache is { } cacheFolder && new FileInfo(path).Length <= MaxOptimizedModelBytes)
                    return DerivedModelFiles.CreateSession(path, model with { CacheOptimized = true }, () => CreateSessionOptions(model), _warn, cacheFolder);
            }
            using var options = CreateSessionOptions(model);
            return new InferenceSession(path, options);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new BadInputException($"cannot load ONNX model {Path.GetFileName(path)}: {ex.Message.Split('\n')[0]}", ex);
        }
    }

    private SessionOptions CreateSessionOptions(OnnxModelOptions model)
    {
        var options = new SessionOptions
        {
            GraphOptimizationLevel = model.Optimization,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
            EnableCpuMemArena = model.MemoryArena,
            EnableMemoryPattern = model.MemoryPattern,
        };
        if (!model.Spinning) options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        if (model.Threads > 0) options.IntraOpNumThreads = model.Threads;
        else if (Options.Threads > 0) options.IntraOpNumThreads = Options.Threads;
        if (Options.Device == "cuda" && Volatile.Read(ref _cudaFailed) == 0)
        {
            try
            {
                options.AppendExecutionProvider_CUDA(Options.GpuId);
            }
            catch (Exception ex) when (ex is EntryPointNotFoundException or OnnxRuntimeException or DllNotFoundException or TypeInitializationException)
            {
                // The CPU runtime package has no CUDA entry point; the GPU one throws when CUDA or cuDNN is missing.
                if (Interlocked.Exchange(ref _cudaFailed, 1) == 0)
                    _warn?.Invoke($"CUDA is not available ({ex.GetType().Name}: {ex.Message.Split('\n')[0]}); running models on the CPU");
            }
        }
        return options;
    }
}
