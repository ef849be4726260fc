using System.ComponentModel;
using Microsoft.SemanticKernel;
using VisionAgent.Abstractions;

namespace VisionAgent.Hosting;

/// <summary>
/// Creating the first kernel function of a process costs 30-50 ms that later ones do not: Semantic Kernel builds
/// each parameter's JSON schema eagerly, and the JSON serializer's first use (its default options, the converters
/// of the common types, the schema exporter, <see cref="ExpertResult"/>'s contract) is one-time work. A host
/// starts this on another thread before it reads its configuration and manifests, so that it overlaps them instead
/// of following them, and the experts' functions find it done. (The manifests' own first-use cost, the YAML
/// parser's, stays on the calling thread: moved here too, it made this the longer of the two.)
/// </summary>
public static class StartupWarmUp
{
    private static readonly Lazy<Task> Started = new(() => Task.Run(Run));

    /// <summary>Starts the warm-up once per process; the task ends when it is done (await it to observe a failure).</summary>
    public static Task Start() => Started.Value;

    private static void Run() => KernelPluginFactory.CreateFromObject(new Probe(), "warm_up");

    /// <summary>A function with the parameter and result types the built-in experts use.</summary>
    private sealed class Probe
    {
        [KernelFunction("probe")]
        [Description("d")]
        public Task<ExpertResult> ProbeAsync(
            [Description("d")] string image,
            [Description("d")] string region = "",
            [Description("d")] double threshold = 0.5,
            [Description("d")] int count = 1,
            [Description("d")] bool flag = false,
            CancellationToken cancellationToken = default) =>
            Task.FromResult(ExpertResult.Text(image));
    }
}
