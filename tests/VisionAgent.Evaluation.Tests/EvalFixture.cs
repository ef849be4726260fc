using VisionAgent.Core.Agent;
using VisionAgent.Core.Configuration;
using VisionAgent.Evaluation.Reports;
using VisionAgent.Evaluation.Running;
using VisionAgent.Evaluation.Tasks;
using VisionAgent.Hosting;
using VisionAgent.Plugins.ImageInfo;
using VisionAgent.Testing;
using VisionAgent.Testing.Llm;

namespace VisionAgent.Evaluation.Tests;

/// <summary>Shared paths and a runner wired to the image_info expert and the scripted planner.</summary>
public sealed class EvalFixture : IDisposable
{
    public EvalFixture()
    {
        Directory = Path.Combine(Path.GetTempPath(), "va-eval-tests-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public string NewFolder(string name)
    {
        var path = Path.Combine(Directory, name + "-" + Guid.NewGuid().ToString("N")[..6]);
        System.IO.Directory.CreateDirectory(path);
        return path;
    }

    public static SuiteOptions Options(string work, Func<EvalTask, TaskLlm>? llm = null) => new()
    {
        Host = new AgentHostOptions { Config = new VisionAgentConfig(), ExpertAssemblies = [typeof(ImageInfoExpertModule).Assembly] },
        Llm = llm ?? (_ => new TaskLlm(new ScriptedChatService(responder: ImageInfoPlanner.Respond), new LlmIdentity("scripted", "image-info-planner"))),
        WorkDirectory = work,
    };

    public static IReadOnlyList<EvalTask> SampleTasks() =>
        TaskFileReader.Load([Path.Combine(RepositoryPaths.SampleTasks, "image-info.yaml")]);

    /// <summary>The report without timings, for comparing runs.</summary>
    public static string Stable(SuiteReport report) =>
        ReportWriter.Json(report with
        {
            DurationMs = 0,
            StartedAt = default,
            Tasks = report.Tasks.Select(t => t with { DurationMs = 0, Turns = t.Turns.Select(u => u with { DurationMs = 0 }).ToList() }).ToList(),
            Summary = report.Summary with { LatencyP50Ms = 0, LatencyP90Ms = 0, LatencyP99Ms = 0 },
        });

    public void Dispose()
    {
        if (System.IO.Directory.Exists(Directory)) System.IO.Directory.Delete(Directory, recursive: true);
    }
}
