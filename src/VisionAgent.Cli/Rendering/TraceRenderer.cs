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
    private static readonly Style ThoughtStyle = new(Color.Grey);

    // A thought line is being written piece by piece and is not finished yet.
    private bool _thoughtOpen;

    public Action<string>? StatusChanged { get; set; }

    /// <summary>Draws produced images under their observation on a terminal that can show them; null for none.</summary>
    public TerminalPreview? Preview { get; init; }

    /// <summary>True while a streamed thought line is open: the cursor stands at its end, not at a line start.</summary>
    public bool IsThoughtOpen => _thoughtOpen;

    public void OnEvent(AgentEvent agentEvent)
    {
        if (agentEvent is ThoughtDeltaEvent delta)
        {
            if (!_thoughtOpen) console.Write(new Text("Thought: ", ThoughtStyle));
            _thoughtOpen = true;
            console.Write(new Text(WithoutControlCharacters(delta.Text), ThoughtStyle));
            return;
        }
        if (_thoughtOpen)
        {
            _thoughtOpen = false;
            console.WriteLine();
            // The thought was shown as it arrived; the whole one is for the log only.
            if (agentEvent is ThoughtEvent) return;
        }
        switch (agentEvent)
        {
            case ReplyRestartedEvent restarted:
                console.MarkupLine($"[yellow]{Markup.Escape(restarted.Reason)}; asking again[/]");
                break;
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

    // The model's text goes straight to the terminal: no escape sequence of its own may reach it.
    private static string WithoutControlCharacters(string text) =>
        text.Any(c => char.IsControl(c) && c is not '\n') ? new string([.. text.Where(c => !char.IsControl(c) || c == '\n')]) : text;
}
