using Spectre.Console;

namespace VisionAgent.Cli.Rendering;

/// <summary>Spectre consoles over the invocation's writers, so tests capture everything.</summary>
public static class ConsoleFactory
{
    public static IAnsiConsole Create(TextWriter writer)
    {
        var isTerminal = ReferenceEquals(writer, System.Console.Out) && !System.Console.IsOutputRedirected
            || ReferenceEquals(writer, System.Console.Error) && !System.Console.IsErrorRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = isTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = isTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = isTerminal ? InteractionSupport.Detect : InteractionSupport.No,
            // The default enrichers recognise CI services and turn colours on for some of them; redirected output is
            // plain here whoever reads it, and finding the enrichers cost 8 ms of every start.
            Enrichment = new ProfileEnrichment { UseDefaultEnrichers = false },
        });
        // Redirected output (logs, tests) should not be wrapped at 80 columns.
        if (!isTerminal) console.Profile.Width = 4096;
        return console;
    }
}
