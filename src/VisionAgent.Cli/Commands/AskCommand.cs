using System.CommandLine;
using Spectre.Console;
using VisionAgent.Abstractions;
using VisionAgent.Cli.Chat;
using VisionAgent.Cli.Rendering;
using VisionAgent.Cli.Rendering.Previews;
using VisionAgent.Cli.Sessions;
using VisionAgent.Core.Agent;
using VisionAgent.Core.Configuration;

namespace VisionAgent.Cli.Commands;

/// <summary><c>visionagent ask [--image PATH]... [--json] [--max-steps N] [--mode react|tools] QUESTION</c></summary>
public static class AskCommand
{
    public static readonly Option<string[]> Images = new("--image", "-i") { Description = "An image to ask about (repeatable); it becomes img1, img2, ...", AllowMultipleArgumentsPerToken = false };
    public static readonly Option<bool> Json = new("--json") { Description = "Print only a JSON document with the status, answer, steps and images" };
    public static readonly Option<int?> MaxSteps = new("--max-steps") { Description = "Most steps before giving up; each action the model asks for is one (default 8)" };
    public static readonly Option<string?> Mode = new("--mode") { Description = "react (text protocol, default) or tools (native function calling)" };
    public static readonly Option<double?> Timeout = new("--timeout") { Description = "Wall-clock limit in seconds (default 300)" };
    public static readonly Argument<string> Question = new("question") { Description = "The question about the images" };

    public static Command Create()
    {
        Mode.AcceptOnlyFromAmong("react", "tools");
        var command = new Command("ask", "Ask one question about images and print the agent's thoughts, actions, observations and answer")
        {
            Images, Json, MaxSteps, Mode, Timeout, Question,
        };
        command.SetAction(RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var overrides = GlobalOptions.Overrides(parse, parse.GetValue(MaxSteps), parse.GetValue(Mode), parse.GetValue(Timeout));
        await using var cli = await CliHost.CreateAsync(parse, cancellationToken, overrides);
        var question = parse.GetValue(Question) ?? "";
        if (string.IsNullOrWhiteSpace(question)) throw new BadInputException("the question is empty");
        cli.AddImages(parse.GetValue(Images) ?? []);
        var (chat, identity) = cli.CreateLlm();
        var json = parse.GetValue(Json);
        var options = ReplyStreaming.Apply(cli.Host.CreateAgentOptions(), json || parse.GetValue(GlobalOptions.NoStream), cli.Host.Config, cli.Console, chat);
        var session = cli.Host.CreateSession(chat, identity, agentOptions: options);
        using var log = new SessionLog(DataFolders.Sessions(cli.Host.Home), cli.Host.Options.SessionId, cli.Host.Marker);
        log.SessionStarted("ask", identity);
        foreach (var image in cli.Host.Images.Images) log.ImageAttached(image);
        log.TurnStarted(question);

        AgentRunResult outcome;
        if (json)
        {
            outcome = await session.AskAsync(question, log, cancellationToken);
            await cli.Output.WriteLineAsync(JsonOutput.Run(outcome, cli.Host.Marker));
        }
        else
        {
            cli.Console.MarkupLine($"[grey]{Markup.Escape(CliHost.PlannerLine(identity))}[/]");
            var renderer = new TraceRenderer(cli.Console, cli.Host.Marker)
            {
                Preview = TerminalPreview.Create(cli.Console, parse.GetValue(GlobalOptions.NoPreview), cli.Host.Loader, cli.Host.Images),
            };
            outcome = await session.AskAsync(question, new TurnObserver(renderer, log), cancellationToken);
        }
        // Scripts that read only stdout's JSON still see a failure on stderr, as with every other failure.
        if (outcome.Error is not null && outcome.Status != RunStatus.Answered)
            await cli.Error.WriteLineAsync($"error: {outcome.Error}");
        return outcome.ErrorCode;
    }
}
