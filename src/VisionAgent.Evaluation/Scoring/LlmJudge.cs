using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;
using VisionAgent.Core.Llm;
using VisionAgent.Evaluation.Tasks;

namespace VisionAgent.Evaluation.Scoring;

/// <summary>
/// Scores an answer against a rubric by asking an LLM (any <see cref="IChatCompletionService"/>: the
/// OpenAI-compatible connector, or a recording/replaying wrapper) for a verdict line starting PASS or FAIL.
/// </summary>
public sealed class LlmJudge(IChatCompletionService chat)
{
    public const string SystemPrompt =
        "You grade answers of a vision assistant. You are given a question, a rubric and the assistant's answer. " +
        "Reply with one line: PASS or FAIL, then a colon and a short reason. Judge only by the rubric.";

    public static ChatHistory BuildRequest(string question, JudgeExpectation expectation, string? answer)
    {
        var history = new ChatHistory(SystemPrompt);
        history.AddUserMessage($"Question: {question}\nRubric: {expectation.Rubric}\nAnswer: {answer ?? "(no answer)"}");
        return history;
    }

    public async Task<CheckResult> ScoreAsync(string question, JudgeExpectation expectation, string? answer, CancellationToken cancellationToken)
    {
        var history = BuildRequest(question, expectation, answer);
        var settings = new OpenAIPromptExecutionSettings { Temperature = 0, MaxTokens = 200 };
        var reply = await LlmErrors.GuardAsync(() => chat.GetChatMessageContentAsync(history, settings, null, cancellationToken), cancellationToken);
        return Parse(reply.Content ?? "");
    }

    /// <summary>Reads the verdict: the first word must be PASS or FAIL (any case, markdown emphasis allowed).</summary>
    public static CheckResult Parse(string reply)
    {
        var text = reply.Trim().TrimStart('*', '#', ' ');
        var reason = text.Length > 4 ? text[4..].TrimStart('*', ':', ' ', '-').Trim() : "";
        if (reason.Length > 200) reason = reason[..200];
        if (text.StartsWith("PASS", StringComparison.OrdinalIgnoreCase)) return new CheckResult("judge", true, reason);
        if (text.StartsWith("FAIL", StringComparison.OrdinalIgnoreCase)) return new CheckResult("judge", false, reason);
        var first = reply.Split('\n')[0];
        return new CheckResult("judge", false, $"the judge gave no verdict: '{(first.Length > 120 ? first[..120] : first)}'");
    }
}
