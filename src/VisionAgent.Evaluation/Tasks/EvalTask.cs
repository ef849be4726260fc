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

/// <summary>An image the turn must have produced: at least <see cref="Count"/> of this kind.</summary>
public sealed record ImageExpectation(string Kind, int Count = 1);

/// <summary>How an answer is scored.</summary>
public abstract record Expectation
{
    public abstract string Kind { get; }
}

public sealed record ExactExpectation(string Text) : Expectation
{
    public override string Kind => "exact";
}

public sealed record AnyOfExpectation(IReadOnlyList<string> Options) : Expectation
{
    public override string Kind => "any_of";
}

public sealed record ContainsAllExpectation(IReadOnlyList<string> Parts) : Expectation
{
    public override string Kind => "contains_all";
}

public sealed record RegexExpectation(string Pattern) : Expectation
{
    public override string Kind => "regex";
}

public sealed record NumberExpectation(double Value, double Tolerance) : Expectation
{
    public override string Kind => "number";
}

public sealed record JudgeExpectation(string Rubric) : Expectation
{
    public override string Kind => "judge";
}

/// <summary>Any answer passes (for turns that only check tools, steps or images).</summary>
public sealed record AnyAnswerExpectation : Expectation
{
    public override string Kind => "any";
}
