using VisionAgent.Abstractions;

namespace VisionAgent.Evaluation;

/// <summary>Exit codes of <c>visionagent eval</c>: the CLI's table plus one for a suite below its threshold.</summary>
public static class EvalExitCodes
{
    /// <summary>The suite met --min-pass.</summary>
    public const int Met = ExitCodes.Answered;

    /// <summary>The suite ran but its pass rate is below --min-pass (failed, errored or diverged tasks).</summary>
    public const int BelowThreshold = 6;
}
