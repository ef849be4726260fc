using System.CommandLine;
using System.CommandLine.Completions;
using System.CommandLine.Parsing;
using VisionAgent.Core.Configuration;

namespace VisionAgent.Cli;

/// <summary>
/// Turns what the parser could not accept into one line in plain words that names what was wrong and what was
/// expected: the unknown command or option (with the nearest known one), the option and the kind of value it takes
/// (derived from the option's declared type and allowed values, never the type's .NET name), the missing argument.
/// </summary>
public static class UsageErrors
{
    /// <summary>The first problem of <paramref name="parse"/> as one line, or null when the command line is usable.</summary>
    public static string? Describe(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        var problem = UnknownOption(parse, command)
            ?? Unmatched(parse, command)
            ?? parse.Errors.Select(e => OptionValue(e.SymbolResult)).FirstOrDefault(m => m is not null)
            ?? parse.Errors.Select(e => CommandArgument(e.SymbolResult)).FirstOrDefault(m => m is not null)
            ?? MissingRequiredOption(parse, command)
            ?? MissingSubcommand(parse, command)
            ?? parse.Errors.Select(e => OneLine(e.Message)).FirstOrDefault();
        return problem is null ? null : $"{problem} (see {HelpCommand(command)})";
    }

    /// <summary>What a value of <paramref name="option"/> must be: one of its allowed values, or the kind its type reads.</summary>
    public static string Expected(Option option)
    {
        var allowed = AllowedValues(option);
        if (allowed.Count > 0) return "one of: " + string.Join(", ", allowed);
        var valueType = ValueKinds.ElementType(option.ValueType) ?? option.ValueType;
        // Text options say what the text is (PATH, URL, K/N) through their help name.
        return valueType == typeof(string) && option.HelpName is { } helpName ? helpName : ValueKinds.Describe(valueType);
    }

    /// <summary>A token that looks like an option but is none of this command's (the parser would take it for an argument).</summary>
    private static string? UnknownOption(ParseResult parse, Command command)
    {
        var taken = new HashSet<Token>(ReferenceEqualityComparer.Instance);
        foreach (var option in OptionResults(parse.RootCommandResult))
        {
            foreach (var token in option.Tokens) taken.Add(token);
        }
        // Tokens after "--" are arguments by the user's say-so.
        var beforeDoubleDash = parse.Tokens.TakeWhile(t => t.Type != TokenType.DoubleDash);
        var stray = beforeDoubleDash.FirstOrDefault(t => t.Type == TokenType.Argument && LooksLikeOption(t.Value) && !taken.Contains(t));
        if (stray is null) return null;
        var name = stray.Value.Split('=', ':')[0];
        var known = OptionsOf(command).SelectMany(o => o.Aliases.Prepend(o.Name)).Where(n => n.StartsWith('-')).ToList();
        return $"unknown option '{Quote(name)}' for '{CommandPath(command)}'{NearestName.Hint(name, known)}";
    }

    private static string? Unmatched(ParseResult parse, Command command)
    {
        if (parse.UnmatchedTokens.Count == 0) return null;
        var token = parse.UnmatchedTokens[0];
        if (command.Subcommands.Count > 0 && !parse.CommandResult.Children.OfType<ArgumentResult>().Any())
        {
            var names = command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name).ToList();
            var where = command is RootCommand ? "" : $" for '{CommandPath(command)}'";
            return $"unknown command '{Quote(token)}'{where}; commands: {string.Join(", ", names)}{NearestName.Hint(token, names)}";
        }
        var arguments = command.Arguments.Where(a => !a.Hidden).ToList();
        var takes = arguments.Count == 0 ? "it takes no arguments" : $"it takes {string.Join(" ", arguments.Select(ArgumentName))} (quote a value that contains spaces)";
        return $"unexpected argument '{Quote(token)}' for '{CommandPath(command)}': {takes}";
    }

    /// <summary>An option given a value it cannot read, a value outside its allowed ones, or no value.</summary>
    private static string? OptionValue(SymbolResult? result)
    {
        var optionResult = result as OptionResult ?? (result as ArgumentResult)?.Parent as OptionResult;
        // An option not on the line at all is a required one left out (MissingRequiredOption says so).
        if (optionResult is null || optionResult.IdentifierToken is null) return null;
        var option = optionResult.Option;
        var name = optionResult.IdentifierToken?.Value ?? option.Name;
        var tokens = optionResult.Tokens.Select(t => t.Value).ToList();
        if (tokens.Count == 0) return $"{name} expects {Expected(option)}, got nothing";
        var valueType = ValueKinds.ElementType(option.ValueType) ?? option.ValueType;
        var allowed = AllowedValues(option);
        var wrong = tokens.FirstOrDefault(t => !ValueKinds.IsReadable(t, valueType))
            ?? tokens.FirstOrDefault(t => allowed.Count > 0 && !allowed.Contains(t, StringComparer.Ordinal));
        if (wrong is null)
        {
            var maximum = option.Arity.MaximumNumberOfValues;
            return tokens.Count > maximum && maximum == 1
                ? $"{name} takes one value, got {tokens.Count} ('{string.Join("', '", tokens.Select(Quote))}')"
                : $"{name}: {OneLine(result!.Errors.FirstOrDefault()?.Message ?? "")}";
        }
        return $"{name} expects {Expected(option)}, got '{Quote(wrong)}'{NearestName.Hint(wrong, allowed)}";
    }

    /// <summary>A command's own argument missing or unreadable.</summary>
    private static string? CommandArgument(SymbolResult? result)
    {
        if (result is not ArgumentResult { Parent: CommandResult commandResult } argumentResult) return null;
        var argument = argumentResult.Argument;
        var command = commandResult.Command;
        var tokens = argumentResult.Tokens.Select(t => t.Value).ToList();
        if (tokens.Count < argument.Arity.MinimumNumberOfValues)
        {
            var what = argument.Arity.MaximumNumberOfValues > 1 ? $"at least one {ArgumentName(argument)}" : ArgumentName(argument);
            return $"'{CommandPath(command)}' needs {what}{DescriptionOf(argument.Description)}";
        }
        var valueType = ValueKinds.ElementType(argument.ValueType) ?? argument.ValueType;
        // Only an argument restricted to some values (a validator) has them as completions; tool names merely suggest.
        var allowed = argument.Validators.Count > 0 ? AllowedValues(argument, argument.ValueType) : [];
        var wrong = tokens.FirstOrDefault(t => !ValueKinds.IsReadable(t, valueType))
            ?? tokens.FirstOrDefault(t => allowed.Count > 0 && !allowed.Contains(t, StringComparer.Ordinal));
        if (wrong is null) return null;
        var expected = allowed.Count > 0 ? "one of: " + string.Join(", ", allowed) : ValueKinds.Describe(valueType);
        return $"{ArgumentName(argument)} of '{CommandPath(command)}' expects {expected}, got '{Quote(wrong)}'{NearestName.Hint(wrong, allowed)}";
    }

    private static string? MissingRequiredOption(ParseResult parse, Command command)
    {
        var missing = OptionsOf(command).FirstOrDefault(o => o.Required && parse.GetResult(o) is not OptionResult { IdentifierToken: not null });
        return missing is null ? null : $"'{CommandPath(command)}' needs {missing.Name} {Expected(missing)}{DescriptionOf(missing.Description)}";
    }

    private static string? MissingSubcommand(ParseResult parse, Command command)
    {
        if (command.Action is not null || command.Subcommands.Count == 0 || parse.Errors.Count == 0) return null;
        var names = string.Join(", ", command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name));
        return command is RootCommand ? $"no command given; commands: {names}" : $"'{CommandPath(command)}' needs a command: {names}";
    }

    /// <summary>
    /// The values a text or enum option accepts when it accepts only some: such an option's completions are those
    /// values (<c>AcceptOnlyFromAmong</c>, enum names); options whose completions merely suggest are not declared.
    /// </summary>
    private static IReadOnlyList<string> AllowedValues(Option option) => AllowedValues(option, option.ValueType);

    private static IReadOnlyList<string> AllowedValues(Symbol symbol, Type declared)
    {
        var valueType = ValueKinds.ElementType(declared) ?? declared;
        valueType = Nullable.GetUnderlyingType(valueType) ?? valueType;
        return valueType == typeof(string) || valueType.IsEnum
            ? symbol.GetCompletions(CompletionContext.Empty).Select(c => c.Label).ToList()
            : [];
    }

    /// <summary>The command's own options and those it inherits (recursive options of the commands above it).</summary>
    private static IEnumerable<Option> OptionsOf(Command command)
    {
        foreach (var option in command.Options) yield return option;
        for (var parent = command.Parents.OfType<Command>().FirstOrDefault(); parent is not null; parent = parent.Parents.OfType<Command>().FirstOrDefault())
        {
            foreach (var option in parent.Options.Where(o => o.Recursive)) yield return option;
        }
    }

    private static IEnumerable<OptionResult> OptionResults(CommandResult result)
    {
        foreach (var child in result.Children)
        {
            if (child is OptionResult option) yield return option;
            else if (child is CommandResult nested)
            {
                foreach (var inner in OptionResults(nested)) yield return inner;
            }
        }
    }

    /// <summary>"-x", "--name", "--name=value"; a negative number or words with spaces ("-what is this?") are values.</summary>
    private static bool LooksLikeOption(string token) =>
        token.Length > 1 && token[0] == '-' && !char.IsAsciiDigit(token[1]) && token[1] != '.' && token != "--" && !token.Any(char.IsWhiteSpace);

    /// <summary>The command as typed after the program name ("eval merge"), or "visionagent" for the root.</summary>
    public static string CommandPath(Command command)
    {
        var names = new List<string>();
        for (Command? current = command; current is not null and not RootCommand; current = current.Parents.OfType<Command>().FirstOrDefault())
            names.Insert(0, current.Name);
        return names.Count == 0 ? CliApp.ProgramName : string.Join(' ', names);
    }

    private static string HelpCommand(Command command) =>
        command is RootCommand ? $"{CliApp.ProgramName} --help" : $"{CliApp.ProgramName} {CommandPath(command)} --help";

    private static string ArgumentName(Argument argument) => argument.HelpName ?? argument.Name.ToUpperInvariant();

    private static string DescriptionOf(string? description) =>
        string.IsNullOrWhiteSpace(description) ? "" : $": {char.ToLowerInvariant(description[0])}{description[1..]}";

    /// <summary>What the user typed, cut short and without control characters, so one line stays one line.</summary>
    private static string Quote(string token)
    {
        var shown = new string([.. token.Take(80).Select(c => char.IsControl(c) ? '?' : c)]);
        return token.Length > 80 ? shown + "..." : shown;
    }

    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries).Select(p => p.Trim())).TrimEnd('.');
}
