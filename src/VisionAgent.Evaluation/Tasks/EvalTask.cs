namespace VisionAgent.Evaluation.Tasks;

/// <summary>One task of a suite: images, and one or more turns asked in order in one session.</summary>
public sealed record EvalTask
{
    public required string Id { get; init; }
    public required string File { get; init; }
    public int Line { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Absolute paths, in order: they become img1, img2, ...</summary>
    public IReadOnlyList<string> Images { get; init; } = [];

    /// <summary>The loop's step cap for this task; null keeps the configured one.</summary>
    public int? MaxSteps { get; init; }

    public required IReadOnlyList<EvalTurn> Turns { get; init; }
}

/// <summary>A question and what its answer and run must satisfy.</summary>
public sealed record EvalTurn
{
    public required string Ask { get; init; }
    public required Expectation Expect { get; init; }
    public IReadOnlyList<string> MustCall { get; init; } = [];
    public IReadOnlyList<string> MustNotCall { get; init; } = [];

    /// <summary>Most steps (actions, see agent.max_steps) this turn may take to pass.</summary>
    public int? MaxSteps { get; init; }

    public IReadOnlyList<ImageExpectation> Images { get; init; } = [];
    public int Line { get; init; }
}

/// <summary>
/// Images the turn must have produced: at least <see cref="Count"/> of this kind, each of which meets every
/// constraint given (exact size; share of pixels inside the mask, for masks and cut-outs).
/// </summary>
public sealed record ImageExpectation(string Kind, int Count = 1)
{
    public int? Width { get; init; }
    public int? Height { get; init; }

    /// <summary>Inclusive range of the mask's coverage (0..1): white pixels of a mask, opaque pixels of a cut-out.</summary>
    public CoverageRange? Coverage { get; init; }

    /// <summary>How the expectation reads in a report: "mask 451x300, coverage 0.20..0.60".</summary>
    public string Describe()
    {
        var parts = new List<string> { Kind };
        if (Width is not null || Height is not null) parts.Add(FormattableString.Invariant($"{Width?.ToString() ?? "any"}x{Height?.ToString() ?? "any"}"));
        if (Coverage is { } c) parts.Add("coverage " + c.Describe());
        return string.Join(" ", parts);
    }
}

/// <summary>An inclusive range of mask coverage, as fractions of the image.</summary>
public sealed record CoverageRange(double Min, double Max)
{
    public bool Contains(double coverage) => coverage >= Min - 1e-9 && coverage <= Max + 1e-9;

    public string Describe() => FormattableString.Invariant($"{Min:0.###}..{Max:0.###}");
}

/// <summary>How an answer is scored.</summary>
public abstract record Expectation
{
    public abstract string Kind { get; }

    /// <summary>The expectation in one line, as reports show it.</summary>
    public abstract string Describe();

    private protected static string Quoted(IEnumerable<string> items) => string.Join(", ", items.Select(i => $"'{i}'"));
}

public sealed record ExactExpectation(string Text) : Expectation
{
    public override string Kind => "exact";

    public override string Describe() => $"exact '{Text}'";
}

public sealed record AnyOfExpectation(IReadOnlyList<string> Options) : Expectation
{
    public override string Kind => "any_of";

    public override string Describe() => $"any_of {Quoted(Options)}";
}

public sealed record ContainsAllExpectation(IReadOnlyList<string> Parts) : Expectation
{
    public override string Kind => "contains_all";

    public override string Describe() => $"contains_all {Quoted(Parts)}";
}

public sealed record RegexExpectation(string Pattern) : Expectation
{
    public override string Kind => "regex";

    public override string Describe() => $"regex /{Pattern}/";
}

public sealed record NumberExpectation(double Value, double Tolerance) : Expectation
{
    public override string Kind => "number";

    public override string Describe() => Tolerance > 0 ? FormattableString.Invariant($"number {Value} ± {Tolerance}") : FormattableString.Invariant($"number {Value}");
}

public sealed record JudgeExpectation(string Rubric) : Expectation
{
    public override string Kind => "judge";

    public override string Describe() => $"judge: {Rubric}";
}

/// <summary>Any answer passes (for turns that only check tools, steps or images).</summary>
public sealed record AnyAnswerExpectation : Expectation
{
    public override string Kind => "any";

    public override string Describe() => "any answer";
}
