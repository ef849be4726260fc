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

    public InferenceSession Get(string modelPath)
    {
        var key = Path.GetFullPath(modelPath);
        var lazy = _sessions.GetOrAdd(key, k => new Lazy<InferenceSession>(() => Create(k), LazyThreadSafetyMode.ExecutionAndPublication));
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

    private InferenceSession Create(string path)
    {
        if (!File.Exists(path))
            throw new BadInputException($"model file not found: {path}");
        try
        {
            using var options = CreateSessionOptions();
            if (ActiveDevice != "cpu" || Options.OptimizedModelCache is not { } cacheFolder || new FileInfo(path).Length > MaxOptimizedModelBytes)
                return new InferenceSession(path, options);
            return CreateThroughOptimizedCache(path, cacheFolder, options);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new BadInputException($"cannot load ONNX model {Path.GetFileName(path)}: {ex.Message.Split('\n')[0]}", ex);
        }
    }

    /// <summary>
    /// Loads the model's saved optimised graph without optimising again, or, the first time, optimises the model,
    /// saves the graph under a temporary name and renames it into place, so a reader never sees half a file.
    /// </summary>
    private static InferenceSession CreateThroughOptimizedCache(string path, string cacheFolder, SessionOptions options)
    {
        var cached = OptimizedModelPath(path, cacheFolder);
        if (File.Exists(cached))
        {
            options.GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL;
            return new InferenceSession(cached, options);
        }
        Directory.CreateDirectory(cacheFolder);
        var staging = Path.Combine(cacheFolder, $".{Path.GetFileName(cached)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        options.OptimizedModelFilePath = staging;
        try
        {
            var session = new InferenceSession(path, options);
            if (File.Exists(staging) && !File.Exists(cached))
            {
                try
                {
                    File.Move(staging, cached);
                }
                catch (IOException) when (File.Exists(cached))
                {
                    // Another process saved the same graph first; theirs serves as well.
                }
            }
            return session;
        }
        finally
        {
            File.Delete(staging);
        }
    }

    /// <summary>
    /// The cached graph's name: the model's name plus a key over its full path, size, modification time and the
    /// ONNX Runtime version, so a changed model or runtime never loads a stale graph.
    /// </summary>
    internal static string OptimizedModelPath(string modelPath, string cacheFolder)
    {
        var file = new FileInfo(modelPath);
        var identity = $"{file.FullName}|{file.Length}|{file.LastWriteTimeUtc.Ticks}|{OrtEnv.Instance().GetVersionString()}";
        var key = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(identity)).AsSpan(0, 8));
        return Path.Combine(cacheFolder, $"{Path.GetFileNameWithoutExtension(modelPath)}.{key}.onnx");
    }

    private SessionOptions CreateSessionOptions()
    {
        var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        if (Options.Threads > 0) options.IntraOpNumThreads = Options.Threads;
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
