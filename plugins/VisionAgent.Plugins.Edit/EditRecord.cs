namespace VisionAgent.Plugins.Edit;

/// <summary>One produced image, as <c>--json</c> shows it.</summary>
public sealed record EditRecord(
    string Handle,
    string Parent,
    string Operation,
    int Width,
    int Height,
    string Path,
    IReadOnlyDictionary<string, string> Parameters,
    string? Mask = null,
    string? Method = null,
    DiffusionTimings? Timings = null);

/// <summary>Where a diffusion run spent its time: the UNet, and the per-step work around it (scheduler, guidance, copies).</summary>
public sealed record DiffusionTimings(int Steps, string Scheduler, double UnetMilliseconds, double StepOverheadMilliseconds, double TotalMilliseconds);
