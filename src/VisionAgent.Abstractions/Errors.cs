namespace VisionAgent.Abstractions;

/// <summary>The CLI's documented exit codes.</summary>
public static class ExitCodes
{
    public const int Answered = 0;
    public const int Unexpected = 1;
    public const int Usage = 2;
    public const int BadInput = 3;
    public const int LlmFailure = 4;
    public const int LimitReached = 5;

    /// <summary>The run ended without an answer: declined (needs an LLM) or unanswered (a model, expert, image or value is missing).</summary>
    public const int NotAnswered = 7;
}

/// <summary>An error with a message fit to show a user in one line, and the exit code it maps to.</summary>
public class VisionAgentException : Exception
{
    public VisionAgentException(string message, int exitCode = ExitCodes.Unexpected, Exception? inner = null)
        : base(message, inner) => ExitCode = exitCode;

    public int ExitCode { get; }
}

/// <summary>Bad input from the user or the LLM: unreadable image, bad argument, bad config.</summary>
public class BadInputException(string message, Exception? inner = null)
    : VisionAgentException(message, ExitCodes.BadInput, inner);

/// <summary>A handle or region reference that the image store does not know.</summary>
public sealed class UnknownHandleException(string handle, IEnumerable<string> valid)
    : BadInputException($"unknown image handle '{QuotedText.Excerpt(handle)}'; valid handles: {Join(valid)}")
{
    public string Handle { get; } = handle;

    private static string Join(IEnumerable<string> valid)
    {
        var list = valid.ToList();
        return list.Count == 0 ? "(none: attach an image first)" : string.Join(", ", list);
    }
}

/// <summary>
/// A model file an expert needs is not installed; the message names the command that fetches it, or, for a file
/// with no download source, how to give its path.
/// </summary>
public sealed class ModelMissingException(string expert, string modelName, string detail, string? remedy = null)
    : VisionAgentException(
        $"the {expert} expert needs model '{modelName}' ({detail}); {remedy ?? $"install it with: visionagent models fetch {expert}"}",
        ExitCodes.BadInput)
{
    /// <summary>What to do about a file that no source serves.</summary>
    public static string ConfigurePathRemedy(string expert, string modelName) =>
        $"no download source is known: give its path with --model {modelName}=PATH or under experts.{expert}.models.{modelName} in visionagent.yaml";

    public string Expert { get; } = expert;
    public string ModelName { get; } = modelName;
}
