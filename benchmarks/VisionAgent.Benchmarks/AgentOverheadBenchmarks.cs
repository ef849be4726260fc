using BenchmarkDotNet.Attributes;
using Microsoft.SemanticKernel;
using VisionAgent.Abstractions;
using VisionAgent.Core.Agent;
using VisionAgent.Core.Configuration;
using VisionAgent.Hosting;
using VisionAgent.Testing;
using VisionAgent.Testing.Llm;

namespace VisionAgent.Benchmarks;

/// <summary>
/// The agent's own cost per step: parsing the reply, resolving and checking the tool, invoking a no-op expert,
/// formatting the observation and building the next prompt. The LLM is an in-process script and the expert
/// does nothing, so what is measured is everything except waiting for them.
/// </summary>
[MemoryDiagnoser]
public class AgentOverheadBenchmarks
{
    private const int Steps = 8;
    private AgentHost _host = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        var home = Path.Combine(Path.GetTempPath(), "visionagent-bench", Guid.NewGuid().ToString("N"));
        _host = await AgentHost.CreateAsync(new AgentHostOptions
        {
            Config = new VisionAgentConfig(),
            Home = home,
            OfflineModels = true,
            ExtraExperts = [new Core.Experts.ExpertEntry(
                new ExpertManifest { Name = "noop", Description = "Does nothing." },
                KernelPluginFactory.CreateFromObject(new NoopExpert(), "noop"), "bench")],
        }, CancellationToken.None);
        var sample = RepositoryPaths.SampleImage("chelsea.png");
        _host.Images.AddInput(sample);
    }

    [GlobalCleanup]
    public async Task Cleanup() => await _host.DisposeAsync();

    [Benchmark(Description = "parse one sloppy reply")]
    public int Parse() => ReActParser.Parse("**Thought:** look\n**Action:** `noop`\n**Action Input:**\n```json\n{\"image\": \"img1\", \"label\": \"x\"}\n```\nObservation: invented").Actions.Count;

    [Benchmark(Description = "8-step run (per-step = this / 8)", OperationsPerInvoke = 1)]
    public async Task<int> EightSteps()
    {
        var n = 0;
        var chat = new ScriptedChatService(responder: _ => ++n < Steps
            ? "Thought: again\nAction: noop\nAction Input: {\"image\": \"img1\", \"label\": \"x\"}"
            : "Final Answer: done");
        var session = _host.CreateSession(chat, new LlmIdentity("bench", "script"));
        var result = await session.AskAsync("go", null, CancellationToken.None);
        return result.Steps.Count;
    }

    public sealed class NoopExpert
    {
        [KernelFunction("noop")]
        public Task<ExpertResult> RunAsync(string image, string label = "", CancellationToken cancellationToken = default) =>
            Task.FromResult(ExpertResult.Text("nothing happened"));
    }
}
