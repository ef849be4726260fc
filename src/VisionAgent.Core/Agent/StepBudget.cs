namespace VisionAgent.Core.Agent;

/// <summary>
/// A run's step budget (<c>agent.max_steps</c>): every action the model asks for takes one step, however many
/// one reply holds, and so does a reply the loop cannot use. A final answer takes none.
/// </summary>
public sealed class StepBudget(int maxSteps)
{
    public int Max { get; } = maxSteps;

    public int Used { get; private set; }

    public bool IsSpent => Used >= Max;

    /// <summary>Takes up to <paramref name="requested"/> steps; returns how many were granted (the rest are to be skipped).</summary>
    public int Take(int requested)
    {
        var granted = Math.Clamp(Max - Used, 0, requested);
        Used += granted;
        return granted;
    }
}
