using Spectre.Console;
using VisionAgent.Cli.Rendering.Previews;
using VisionAgent.Core.Agent;

namespace VisionAgent.Cli.Rendering;

/// <summary>
/// Renders the loop as it runs: thoughts dimmed, actions and observations set apart, the answer last,
/// and the paths of images the experts created.
/// </summary>
public sealed class TraceRenderer(IAnsiConsole console, UntrustedTextMarker marker) : IAgentObserver
{
    public Action<string>? StatusChanged { get; set; }

    /// <summary>Draws produced images under their observation on a terminal that can show them; null for none.</summary>
    public TerminalPreview? Preview { get; init; }

    public void OnEvent(AgentEvent agentEvent)
    {
        switch (agentEvent)
        {
            case LlmRequestStarted started:
                StatusChanged?.Invoke($"thinking (step {started.Step})...");
                break;
            case ThoughtEvent thought:
                console.MarkupLine($"[grey]Thought: {Markup.Escape(thought.Thought)}[/]");
                break;
            case ActionEvent action:
                console.MarkupLine($"[bold cyan]Action:[/] [cyan]{Markup.Escape(action.Tool)}[/] [grey]{Markup.Escape(action.Input)}[/]");
                StatusChanged?.Invoke($"running {action.Tool}...");
                break;
            case ObservationEvent observation:
                RenderObservation(observation.Step);
                break;
            case AnswerEvent answer:
                RenderAnswer(answer.Result);
                break;
        }
    }

    public void RenderObservation(AgentStep step)
    {
        var colour = step.Failed ? "yellow" : "green";
        var text = marker.Unmark(step.Observation);
        if (step.Repairs.Count > 0) console.MarkupLine($"[grey]Input repaired: {Markup.Escape(string.Join("; ", step.Repairs))}[/]");
        console.MarkupLine($"[{colour}]Observation:[/] {Markup.Escape(text)} [grey]({step.DurationMs} ms)[/]");
        Preview?.ShowProduced(step);
    }

    public void RenderAnswer(AgentRunResult result)
    {
        foreach (var image in result.Images.Where(i => i.Parent is not null))
            console.MarkupLine($"[grey]{image.Handle} ({Markup.Escape(image.Kind)} of {image.Parent}):[/] {Markup.Escape(image.Path)}");
        if (result.Answer is not null)
        {
            // A declined or unanswered run still says what would answer it, under a header that does not claim an answer.
            var header = result.Status == RunStatus.Answered ? "Answer" : $"No answer ({result.Status})";
            // A full-width rule on a terminal; a short header in logs, where the width is unbounded.
            if (console.Profile.Capabilities.Interactive) console.Write(new Rule($"[bold]{header}[/]") { Justification = Justify.Left });
            else console.MarkupLine($"[bold]── {header} ──[/]");
            console.MarkupLine(Markup.Escape(result.Answer));
        }
        else
        {
            console.MarkupLine($"[red]No answer ({result.Status}): {Markup.Escape(result.Error ?? "")}[/]");
        }
    }
}
