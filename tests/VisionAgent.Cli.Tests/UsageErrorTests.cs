using System.CommandLine;
using System.CommandLine.Completions;
using System.CommandLine.Help;
using VisionAgent.Testing;

namespace VisionAgent.Cli.Tests;

/// <summary>
/// Every usage mistake ends in one line on standard error that names what was wrong and what was expected in plain
/// words, with exit code 2 and nothing run: every option of every command with a wrong value and with no value,
/// unknown commands and options (with the nearest known name), missing arguments and subcommands.
/// </summary>
public sealed class UsageErrorTests
{
    private const string NotAValue = "abc-not-a-value";

    public static TheoryData<string[], string, string, string> EveryOptionWithAWrongValue()
    {
        var cases = new TheoryData<string[], string, string, string>();
        foreach (var (path, option) in EveryOption())
        {
            var kind = ExpectedKind(option);
            // Text without a fixed set of values and switches accept anything: there is no wrong value to give them.
            if (kind is null) continue;
            cases.Add([.. path, .. RequiredArguments(path, option), option.Name, NotAValue], option.Name, kind, $"got '{NotAValue}'");
        }
        return cases;
    }

    public static TheoryData<string[], string, string> EveryOptionWithNoValue()
    {
        var cases = new TheoryData<string[], string, string>();
        foreach (var (path, option) in EveryOption())
        {
            if (option.ValueType == typeof(bool)) continue;
            cases.Add([.. path, .. RequiredArguments(path, option), option.Name], option.Name, "got nothing");
        }
        return cases;
    }

    [Theory]
    [MemberData(nameof(EveryOptionWithAWrongValue))]
    public async Task Wrong_value_names_the_option_and_the_expected_kind(string[] args, string option, string kind, string given)
    {
        var run = await RunAsync(args);

        var line = AssertOneUsageLine(run);
        Assert.StartsWith($"error: {option} expects {kind}, {given}", line, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(EveryOptionWithNoValue))]
    public async Task Missing_value_names_the_option(string[] args, string option, string given)
    {
        var run = await RunAsync(args);

        var line = AssertOneUsageLine(run);
        Assert.StartsWith($"error: {option} expects ", line, StringComparison.Ordinal);
        Assert.Contains(given, line, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_command_and_every_typed_option_is_covered()
    {
        var wrong = EveryOptionWithAWrongValue();
        var missing = EveryOptionWithNoValue();

        // ask, chat, eval (and merge) have number or choice options; the global --llm and --device are choices.
        Assert.Contains(wrong, c => (string)c[1] == "--max-steps");
        Assert.Contains(wrong, c => (string)c[1] == "--timeout" && (string)c[2] == "a number");
        Assert.Contains(wrong, c => (string)c[1] == "--jobs" && (string)c[2] == "a whole number");
        Assert.Contains(wrong, c => (string)c[1] == "--mode" && (string)c[2] == "one of: react, tools");
        Assert.Contains(wrong, c => (string)c[1] == "--device" && ((string[])c[0])[0] == "models");
        Assert.True(wrong.Count() >= 30, $"only {wrong.Count()} wrong-value cases");
        Assert.Contains(missing, c => (string)c[1] == "--config" && ((string[])c[0])[0] == "eval");
        Assert.Contains(missing, c => (string)c[1] == "--report" && ((string[])c[0])[1] == "merge");
    }

    [Theory]
    [InlineData(new[] { "foo" }, "error: unknown command 'foo'; commands: ask, tools, tool, models, chat, sessions, eval, mcp, plugin, completion (see visionagent --help)")]
    [InlineData(new[] { "ak", "what?" }, "error: unknown command 'ak'; commands: ask, tools, tool, models, chat, sessions, eval, mcp, plugin, completion; did you mean 'ask'? (see visionagent --help)")]
    [InlineData(new string[0], "error: no command given; commands: ask, tools, tool, models, chat, sessions, eval, mcp, plugin, completion (see visionagent --help)")]
    [InlineData(new[] { "ask", "--bogus", "x" }, "error: unknown option '--bogus' for 'ask' (see visionagent ask --help)")]
    [InlineData(new[] { "ask", "--bogus" }, "error: unknown option '--bogus' for 'ask' (see visionagent ask --help)")]
    [InlineData(new[] { "ask", "--jsn", "q" }, "error: unknown option '--jsn' for 'ask'; did you mean '--json'? (see visionagent ask --help)")]
    [InlineData(new[] { "ask", "--max-stpes=3", "q" }, "error: unknown option '--max-stpes' for 'ask'; did you mean '--max-steps'? (see visionagent ask --help)")]
    [InlineData(new[] { "eval", "merge", "a", "--ofline", "--report", "r" }, "error: unknown option '--ofline' for 'eval merge'; did you mean '--offline'? (see visionagent eval merge --help)")]
    [InlineData(new[] { "ask", "--mode", "tool", "q" }, "error: --mode expects one of: react, tools, got 'tool'; did you mean 'tools'? (see visionagent ask --help)")]
    [InlineData(new[] { "ask", "--max-steps", "abc", "q" }, "error: --max-steps expects a whole number, got 'abc' (see visionagent ask --help)")]
    [InlineData(new[] { "ask", "--max-steps", "99999999999", "q" }, "error: --max-steps expects a whole number, got '99999999999' (see visionagent ask --help)")]
    [InlineData(new[] { "eval", "x", "-j", "two" }, "error: -j expects a whole number, got 'two' (see visionagent eval --help)")]
    [InlineData(new[] { "models" }, "error: 'models' needs a command: list, fetch, verify (see visionagent models --help)")]
    [InlineData(new[] { "models", "lst" }, "error: unknown command 'lst' for 'models'; commands: list, fetch, verify; did you mean 'list'? (see visionagent models --help)")]
    [InlineData(new[] { "ask" }, "error: 'ask' needs QUESTION: the question about the images (see visionagent ask --help)")]
    [InlineData(new[] { "eval" }, "error: 'eval' needs at least one PATHS: task files or folders of them (*.yaml, searched recursively) (see visionagent eval --help)")]
    [InlineData(new[] { "eval", "merge", "a" }, "error: 'eval merge' needs --report DIR: folder for the merged report.json, report.md, junit.xml and report.html (see visionagent eval merge --help)")]
    [InlineData(new[] { "ask", "what", "is", "this" }, "error: unexpected argument 'is' for 'ask': it takes QUESTION (quote a value that contains spaces) (see visionagent ask --help)")]
    [InlineData(new[] { "tools", "ocr" }, "error: unexpected argument 'ocr' for 'tools': it takes no arguments (see visionagent tools --help)")]
    [InlineData(new[] { "completion", "fish" }, "error: SHELL of 'completion' expects one of: bash, pwsh, zsh, got 'fish' (see visionagent completion --help)")]
    [InlineData(new[] { "completion", "bsh" }, "error: SHELL of 'completion' expects one of: bash, pwsh, zsh, got 'bsh'; did you mean 'bash'? (see visionagent completion --help)")]
    public async Task Mistake_gets_one_line_that_names_it(string[] args, string expected)
    {
        var run = await RunAsync(args);

        Assert.Equal(expected, AssertOneUsageLine(run));
    }

    [Theory]
    [InlineData("ask", "--", "-x")]
    [InlineData("ask", "-what is in this picture?")]
    [InlineData("eval", "x", "--min-pass", "-1")]
    [InlineData("ask", "--timeout", "-5", "q")]
    [InlineData("tool", "edit", "--arg", "-x=1")]
    public void Dashes_the_user_meant_as_values_are_not_taken_for_options(params string[] args)
    {
        var parse = CliApp.BuildRoot().Parse(args);

        Assert.Null(UsageErrors.Describe(parse));
    }

    private static string AssertOneUsageLine(CliRun run)
    {
        Assert.Equal(2, run.ExitCode);
        Assert.Equal("", run.Output);
        var line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.Null(TypeNameLeaks.Find(line));
        return line;
    }

    /// <summary>The kind a wrong value is told it should have, worked out here from the declared type, not by the code under test.</summary>
    private static string? ExpectedKind(Option option)
    {
        var type = option.ValueType.IsArray ? option.ValueType.GetElementType()! : option.ValueType;
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(int)) return "a whole number";
        if (type == typeof(double)) return "a number";
        if (type == typeof(bool)) return null;
        Assert.Equal(typeof(string), type);
        var values = option.GetCompletions(CompletionContext.Empty).Select(c => c.Label).ToList();
        return values.Count == 0 ? null : "one of: " + string.Join(", ", values);
    }

    /// <summary>Every (command path, option) pair a user can type: each runnable command with its own and its inherited options.</summary>
    private static IEnumerable<(string[] Path, Option Option)> EveryOption()
    {
        var root = CliApp.BuildRoot();
        return Walk(root, []);

        static IEnumerable<(string[], Option)> Walk(Command command, string[] path)
        {
            if (command.Action is not null && path.Length > 0)
            {
                // A command's own option hides an inherited one of the same name (plugin new --output).
                foreach (var option in Inherited(command).Where(o => o is not HelpOption and not VersionOption).DistinctBy(o => o.Name))
                    yield return (path, option);
            }
            foreach (var sub in command.Subcommands)
            {
                foreach (var pair in Walk(sub, [.. path, sub.Name])) yield return pair;
            }
        }

        static IEnumerable<Option> Inherited(Command command)
        {
            foreach (var option in command.Options) yield return option;
            foreach (var parent in command.Parents.OfType<Command>())
            {
                foreach (var option in Inherited(parent).Where(o => o.Recursive)) yield return option;
            }
        }
    }

    /// <summary>Values for the command's required arguments and other required options, so the option under test is the only mistake.</summary>
    private static string[] RequiredArguments(string[] path, Option tested)
    {
        Command command = CliApp.BuildRoot();
        foreach (var name in path) command = command.Subcommands.Single(c => c.Name == name);
        var values = new List<string>();
        foreach (var argument in command.Arguments)
        {
            // An argument restricted to some values gets its first one; any text does for the others.
            var value = argument.Validators.Count > 0 ? argument.GetCompletions(CompletionContext.Empty).First().Label : "x";
            values.AddRange(Enumerable.Repeat(value, argument.Arity.MinimumNumberOfValues));
        }
        foreach (var option in command.Options.Where(o => o.Required && o.Name != tested.Name)) values.AddRange([option.Name, "r"]);
        return [.. values];
    }

    internal sealed record CliRun(int ExitCode, string Output, string Error);

    /// <summary>The command line exactly as given (no extra options appended), output captured.</summary>
    internal static async Task<CliRun> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync(args, output, error, CancellationToken.None);
        return new CliRun(code, output.ToString(), error.ToString());
    }
}
