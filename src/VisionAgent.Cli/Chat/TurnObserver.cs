using VisionAgent.Core.Agent;

namespace VisionAgent.Cli.Chat;

/// <summary>
/// Passes a turn's events to the renderer and the session log; the renderer's answer lists only the images
/// made in this turn, not every image of the conversation.
/// </summary>
public sealed class TurnObserver(IAgentObserver renderer, IAgentObserver log) : IAgentObserver
{
    public void OnEvent(AgentEvent agentEvent)
    {
        log.OnEvent(agentEvent);
        if (agentEvent is AnswerEvent answer)
        {
            var produced = answer.Result.Steps.SelectMany(s => s.ImagesProduced).ToHashSet(StringComparer.Ordinal);
            renderer.OnEvent(new AnswerEvent(answer.Result with { Images = answer.Result.Images.Where(i => produced.Contains(i.Handle)).ToList() }));
            return;
        }
        renderer.OnEvent(agentEvent);
    }
}
