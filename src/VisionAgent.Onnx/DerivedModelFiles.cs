using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using Microsoft.ML.OnnxRuntime;

namespace VisionAgent.Onnx;

/// <summary>
/// Makes, once per model file and runtime version, the CPU variant of a model that <see cref="OnnxModelOptions"/>
/// asks for (float16 widened, graph pre-optimised) and keeps it in an <c>.optimized/</c> folder beside the model.
/// The file is written under a temporary name and moved into place, so concurrent processes never see half of it.
/// </summary>
public static class DerivedModelFiles
{
    public const string FolderName = ".optimized";

    /// <summary>
    /// Where the derived file of <paramref name="modelPath"/> lives, named by the source's size and time, the
    /// <paramref name="model"/> options and the runtime: in <paramref name="folder"/>, or, when that is null, in
    /// <see cref="FolderName"/> beside the model.
    /// </summary>
    public static string PathFor(string modelPath, OnnxModelOptions model, string? folder = null)
    {
        var source = new FileInfo(modelPath);
        var key = string.Create(CultureInfo.InvariantCulture,
            $"{source.Length:x}-{source.LastWriteTimeUtc.Ticks:x}.ort{OrtEnv.Instance().GetVersionString()}{(model.WidenFloat16 ? ".fp32" : "")}{(model.CacheOptimized ? ".opt" : "")}{(SavesLayout(model) ? $".{VectorWidth}" : "")}");
        return Path.Combine(folder ?? Path.Combine(source.DirectoryName ?? ".", FolderName), $"{Path.GetFileNameWithoutExtension(modelPath)}.{key}.onnx");
    }

    /// <summary>
    /// A session on the derived model: loaded from the folder when present; otherwise built from the source (widened,
    /// then saved after the portable optimisations) and loaded. When the folder cannot be written, the session is
    /// built in memory and <paramref name="warn"/> says why.
    /// </summary>
    public static InferenceSession CreateSession(string modelPath, OnnxModelOptions model, Func<SessionOptions> createOptions, Action<string>? warn, string? cacheFolder = null)
    {
        var derived = PathFor(modelPath, model, cacheFolder);
        if (File.Exists(derived)) return Load(derived, createOptions);

        var folder = Path.GetDirectoryName(derived)!;
        var temporary = TemporaryName(folder, derived, "tmp");
        var widened = TemporaryName(folder, derived, "fp32");
        try
        {
            Directory.CreateDirectory(folder);
            // The widened copy goes to disk as it is made and the runtime reads it from there: the first call holds
            // neither model in managed memory.
            var source = model.WidenFloat16 && WidenToFile(modelPath, widened) ? widened : modelPath;
            if (model.CacheOptimized)
            {
                using var saving = createOptions();
                // Beyond extended, the layout transforms depend on this CPU's vector width: unless the file name
                // carries it, those are redone at every load.
                var reduced = !SavesLayout(model) && saving.GraphOptimizationLevel > GraphOptimizationLevel.ORT_ENABLE_EXTENDED;
                if (reduced) saving.GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_EXTENDED;
                saving.OptimizedModelFilePath = temporary;
                var session = new InferenceSession(source, saving);
                if (!reduced)
                {
                    // Saved at the level it runs at: this session is the one a load would give, without a second build.
                    try
                    {
                        MoveIntoPlace(temporary, derived);
                    }
                    catch
                    {
                        session.Dispose();
                        throw;
                    }
                    return session;
                }
                session.Dispose();
            }
            else if (source == widened)
            {
                File.Move(widened, temporary);
            }
            else
            {
                File.Copy(source, temporary);
            }
            MoveIntoPlace(temporary, derived);
            return Load(derived, createOptions);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            warn?.Invoke($"cannot keep the optimised copy of {Path.GetFileName(modelPath)} in {folder} ({ex.Message.Split('\n')[0]}); building it in memory each time");
            var bytes = File.ReadAllBytes(modelPath);
            if (model.WidenFloat16) bytes = Float16Widening.Widen(bytes) ?? bytes;
            using var options = createOptions();
            return new InferenceSession(bytes, options);
        }
        finally
        {
            DeleteQuietly(temporary);
            DeleteQuietly(widened);
        }
    }

    /// <summary>Writes the float32 form of <paramref name="modelPath"/> to <paramref name="destination"/>; false when it holds no float16.</summary>
    private static bool WidenToFile(string modelPath, string destination)
    {
        using var input = new FileStream(modelPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        using var output = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
        return Float16Widening.Widen(input, output, CancellationToken.None).Changed;
    }

    private static string TemporaryName(string folder, string derived, string purpose) =>
        Path.Combine(folder, $".{Path.GetFileName(derived)}.{Environment.ProcessId}.{Guid.NewGuid():N}.{purpose}.tmp");

    private static bool SavesLayout(OnnxModelOptions model) =>
        model.CacheOptimized && model.CacheLayout && model.Optimization > GraphOptimizationLevel.ORT_ENABLE_EXTENDED;

    // The block size of the runtime's NCHWc layout follows the widest vectors the CPU has.
    private static string VectorWidth =>
        $"{RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()}-{(Avx512F.IsSupported ? "v512" : Avx.IsSupported ? "v256" : "v128")}";

    private static void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A leftover temporary file is harmless: its name is never loaded.
        }
    }

    private static InferenceSession Load(string path, Func<SessionOptions> createOptions)
    {
        using var options = createOptions();
        return new InferenceSession(path, options);
    }

    private static void MoveIntoPlace(string temporary, string derived)
    {
        try
        {
            File.Move(temporary, derived, overwrite: false);
        }
        catch (IOException) when (File.Exists(derived))
        {
            // Another process made the same file first; theirs is as good as ours (the temporary is deleted by the caller).
        }
    }
}
