namespace VisionAgent.Core.Agent;

/// <summary>One way of talking with the model until it answers or the run's limits end it.</summary>
public interface IAgentLoop
{
    /// <summary>Runs one question; <paramref name="memory"/> holds the earlier turns of the conversation, oldest first.</summary>
    Task<AgentRunResult> RunAsync(string question, IReadOnlyList<AgentTurn> memory, AgentRun run, IAgentObserver observer, CancellationToken cancellationToken);
}
