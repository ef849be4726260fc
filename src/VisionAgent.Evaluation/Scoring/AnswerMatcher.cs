using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using VisionAgent.Evaluation.Tasks;

namespace VisionAgent.Evaluation.Scoring;

/// <summary>The verdict of one check on a turn.</summary>
public sealed record CheckResult(string Name, bool Passed, string Detail);

/// <summary>
/// Scores answers against text expectations. Texts are compared after <see cref="Normalise"/>: lower case
/// (invariant), whitespace runs collapsed to one space, trimmed, surrounding quotes and trailing . ! removed.
/// </summary>
public static partial class AnswerMatcher
{
    private static readonly Dictionary<string, double> NumberWords = new(StringComparer.Ordinal)
    {
        ["zero"] = 0, ["none"] = 0, ["one"] = 1, ["two"] = 2, ["three"] = 3, ["four"] = 4, ["five"] = 5, ["six"] = 6,
        ["seven"] = 7, ["eight"] = 8, ["nine"] = 9, ["ten"] = 10, ["eleven"] = 11, ["twelve"] = 12, ["thirteen"] = 13,
        ["fourteen"] = 14, ["fifteen"] = 15, ["sixteen"] = 16, ["seventeen"] = 17, ["eighteen"] = 18, ["nineteen"] = 19, ["twenty"] = 20,
    };

    public static string Normalise(string text)
    {
        var builder = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text.Trim())
        {
            if (char.IsWhiteSpace(c))
            {
                space = true;
                continue;
            }
            if (space && builder.Length > 0) builder.Append(' ');
            space = false;
            builder.Append(char.ToLowerInvariant(c));
        }
        var result = builder.ToString().TrimEnd('.', '!');
        if (result.Length >= 2 && (result[0], result[^1]) is ('"', '"') or ('\'', '\'') or ('`', '`'))
            result = result[1..^1].Trim().TrimEnd('.', '!');
        return result;
    }

    /// <summary>Scores everything but the judge (which needs an LLM: see <see cref="LlmJudge"/>).</summary>
    public static CheckResult Match(Expectation expectation, string? answer)
    {
        var text = answer ?? "";
        var normalised = Normalise(text);
        return expectation switch
        {
            AnyAnswerExpectation => new CheckResult("answer", true, "any answer"),
            ExactExpectation e => Verdict("exact", normalised == Normalise(e.Text), $"expected '{e.Text}'"),
            AnyOfExpectation a => Verdict("any_of", a.Options.Any(o => Normalise(o) == normalised), $"expected one of {Quote(a.Options)}"),
            ContainsAllExpectation c => ContainsAll(c, normalised),
            RegexExpectation r => Verdict("regex", Regex.IsMatch(text, r.Pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)), $"expected a match for /{r.Pattern}/ (case-insensitive)"),
            NumberExpectation n => Number(n, text),
            JudgeExpectation => throw new ArgumentException("judge expectations are scored by LlmJudge", nameof(expectation)),
            _ => throw new ArgumentException($"unknown expectation {expectation.Kind}", nameof(expectation)),
        };
    }

    /// <summary>Every number in the text: digits (with thousands separators, decimals, sign) and the words zero to twenty.</summary>
    public static IReadOnlyList<double> Numbers(string text)
    {
        var numbers = new List<double>();
        foreach (Match m in NumberPattern().Matches(text))
        {
            if (double.TryParse(m.Value.Replace(",", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                numbers.Add(value);
        }
        foreach (Match m in WordPattern().Matches(text.ToLowerInvariant()))
        {
            if (NumberWords.TryGetValue(m.Value, out var value)) numbers.Add(value);
        }
        return numbers;
    }

    private static CheckResult ContainsAll(ContainsAllExpectation c, string normalised)
    {
        var missing = c.Parts.Where(p => !normalised.Contains(Normalise(p), StringComparison.Ordinal)).ToList();
        return new CheckResult("contains_all", missing.Count == 0, missing.Count == 0 ? $"contains {Quote(c.Parts)}" : $"missing {Quote(missing)}");
    }

    private static CheckResult Number(NumberExpectation n, string text)
    {
        var numbers = Numbers(text);
        var target = n.Tolerance > 0 ? $"{n.Value.ToString(CultureInfo.InvariantCulture)} ± {n.Tolerance.ToString(CultureInfo.InvariantCulture)}" : n.Value.ToString(CultureInfo.InvariantCulture);
        if (numbers.Count == 0) return new CheckResult("number", false, $"expected {target}; the answer holds no number");
        var hit = numbers.Any(v => Math.Abs(v - n.Value) <= n.Tolerance + 1e-9);
        return new CheckResult("number", hit, $"expected {target}; found {string.Join(", ", numbers.Select(v => v.ToString(CultureInfo.InvariantCulture)))}");
    }

    private static CheckResult Verdict(string name, bool passed, string expected) => new(name, passed, expected);

    private static string Quote(IEnumerable<string> items) => string.Join(", ", items.Select(i => $"'{i}'"));

    [GeneratedRegex(@"(?<![\w.])-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w.])-?\d+(?:\.\d+)?")]
    private static partial Regex NumberPattern();

    [GeneratedRegex(@"\b[a-z]+\b")]
    private static partial Regex WordPattern();
}
