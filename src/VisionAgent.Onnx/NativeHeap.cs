using System.Runtime.InteropServices;

namespace VisionAgent.Onnx;

/// <summary>
/// How the C heap that ONNX Runtime allocates from gives memory back. glibc raises its mmap threshold each time a
/// large block is freed, so the buffers of a disposed session (or of the previous run) are kept in the heap and
/// reused or not, but never returned: a process that builds one session and runs it once peaked 240 MB higher for it.
/// A fixed threshold keeps large blocks mapped on their own and unmapped when freed.
/// </summary>
public static partial class NativeHeap
{
    private const int MmapThresholdOption = -3;

    /// <summary>Blocks from this size up get their own mapping: the size of a small activation, far below a model's.</summary>
    public const int LargeBlockBytes = 1 << 20;

    private static readonly Lazy<bool> Applied = new(Apply, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// Makes freed large blocks go back to the system, once per process; true when the C library took the setting
    /// (glibc on Linux), false elsewhere, where nothing changes.
    /// </summary>
    public static bool ReturnLargeBlocksToTheSystem() => Applied.Value;

    private static bool Apply()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return SetMallocOption(MmapThresholdOption, LargeBlockBytes) == 1;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // A C library without mallopt (not glibc): its own policy stays.
            return false;
        }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SetMallocOption(int option, int value);
}
