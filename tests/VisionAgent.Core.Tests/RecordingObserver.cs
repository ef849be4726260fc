using System.Collections.Concurrent;
using VisionAgent.Core.Agent;

namespace VisionAgent.Core.Tests;

/// <summary>Keeps every event a run reports, in order, for tests to look at.</summary>
public sealed class RecordingObserver : IAgentObserver
{
    private readonly ConcurrentQueue<AgentEvent> _events = new();

    public IReadOnlyList<AgentEvent> Events => [.. _events];

    public void OnEvent(AgentEvent agentEvent) => _events.Enqueue(agentEvent);
}
