using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.SemanticKernel.ChatCompletion;
using VisionAgent.Core.Agent;
using VisionAgent.Core.Configuration;
using VisionAgent.Evaluation.Running;
using VisionAgent.Evaluation.Tasks;
using VisionAgent.Hosting;
using VisionAgent.Plugins.ImageInfo;
using VisionAgent.Testing;
using VisionAgent.Testing.Llm;

namespace VisionAgent.Benchmarks;

/// <summary>
/// A generated suite of 200 image_info tasks, recorded once with a scripted planner, then replayed with frozen
/// experts (no LLM, no expert runs): the cost of the evaluation machinery itself.
/// </summary>
[MemoryDiagnoser]
public class EvalBenchmarks
{
    private const int TaskCount = 200;
    private string _root = "";
    private IReadOnlyList<EvalTask> _tasks = [];

    [Params(1, 2)]
    public int Jobs { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _root = Path.Combine(Path.GetTempPath(), "va-eval-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_root);
        var images = RepositoryPaths.SampleImages;
        string[] files = ["chelsea.png", "coins.png", "page.png", "rocket.jpg", "astronaut.png", "coffee.png"];
        string[] questions = ["How big is img1 in pixels?", "What format is img1?", "Is img1 dark or bright?", "What is the width of img1?"];
        var yaml = new StringBuilder("tasks:\n");
        for (var i = 0; i < TaskCount; i++)
        {
            yaml.Append("  - id: t").Append(i.ToString("000", System.Globalization.CultureInfo.InvariantCulture)).Append('\n')
                .Append("    tags: [bench, q").Append(i % questions.Length).Append("]\n")
                .Append("    images: ['").Append(Path.Combine(images, files[i % files.Length])).Append("']\n")
                .Append("    ask: ").Append(questions[i % questions.Length]).Append('\n')
                .Append("    expect: {regex: '.'}\n")
                .Append("    tools: {must_call: [image_info]}\n");
        }
        var suite = Path.Combine(_root, "suite.yaml");
        File.WriteAllText(suite, yaml.ToString());
        _tasks = TaskFileReader.Load([suite]);
        var record = Options("record") with
        {
            RecordDirectory = Path.Combine(_root, "cassettes"),
            Llm = _ => new TaskLlm(new ScriptedChatService(responder: Respond), new LlmIdentity("scripted", "bench")),
            Parallelism = 2,
        };
        var recorded = new SuiteRunner(record).RunAsync(_tasks, CancellationToken.None).GetAwaiter().GetResult();
        if (recorded.Summary.Passed != TaskCount) throw new InvalidOperationException("the recorded suite did not pass");
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);

    [Benchmark(Description = "replay 200 tasks, frozen experts")]
    public int ReplayFrozen()
    {
        var options = Options("replay") with { ReplayDirectory = Path.Combine(_root, "cassettes"), FrozenExperts = true, Parallelism = Jobs };
        var report = new SuiteRunner(options).RunAsync(_tasks, CancellationToken.None).GetAwaiter().GetResult();
        if (report.Summary.Passed != TaskCount) throw new InvalidOperationException("the replay diverged: " + report.Tasks.First(t => !t.Passed).Reason());
        return report.Summary.Passed;
    }

    private SuiteOptions Options(string work) => new()
    {
        Host = new AgentHostOptions { Config = new VisionAgentConfig(), ExpertAssemblies = [typeof(ImageInfoExpertModule).Assembly] },
        WorkDirectory = Path.Combine(_root, work),
    };

    private static string Respond(ChatHistory history)
    {
        var last = history[^1].Content ?? "";
        return last.StartsWith("Observation:", StringComparison.Ordinal)
            ? "Thought: I can answer now\nFinal Answer: " + last["Observation: ".Length..]
            : "Thought: I need the image facts.\nAction: image_info\nAction Input: {\"image\": \"img1\"}";
    }
}
