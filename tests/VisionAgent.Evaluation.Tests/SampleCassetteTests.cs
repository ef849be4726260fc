using VisionAgent.Evaluation.Running;
using VisionAgent.Evaluation.Tasks;
using VisionAgent.Testing;

namespace VisionAgent.Evaluation.Tests;

/// <summary>
/// samples/cassettes holds the image_info sample suite recorded with the scripted planner. Run with
/// VISIONAGENT_REGENERATE_CASSETTES=1 to record them again (after a prompt change, say).
/// </summary>
public sealed class SampleCassetteTests : IClassFixture<EvalFixture>
{
    private readonly EvalFixture _fixture;

    public SampleCassetteTests(EvalFixture fixture) => _fixture = fixture;

    private static string Cassettes => RepositoryPaths.SampleCassettes;

    [Fact]
    public async Task Sample_cassettes_replay_every_answer_with_no_llm_and_no_experts()
    {
        var tasks = EvalFixture.SampleTasks();
        if (Environment.GetEnvironmentVariable("VISIONAGENT_REGENERATE_CASSETTES") == "1")
            await new SuiteRunner(EvalFixture.Options(_fixture.NewFolder("rec")) with { RecordDirectory = Cassettes }).RunAsync(tasks, CancellationToken.None);
        Func<EvalTask, TaskLlm> noLlm = _ => throw new InvalidOperationException("replay must not ask for an LLM");

        var report = await new SuiteRunner(EvalFixture.Options(_fixture.NewFolder("rep"), noLlm) with { ReplayDirectory = Cassettes, FrozenExperts = true }).RunAsync(tasks, CancellationToken.None);

        Assert.All(report.Tasks, t => Assert.True(t.Passed, $"{t.Id}: {t.Reason()} (record again with VISIONAGENT_REGENERATE_CASSETTES=1)"));
        Assert.Equal("Greyscale.", report.Tasks.Single(t => t.Id == "coins-colour-mode").Turns[0].Answer);
    }
}
