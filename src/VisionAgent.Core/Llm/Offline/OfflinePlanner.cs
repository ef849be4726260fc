using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using VisionAgent.Abstractions;
using VisionAgent.Core.Agent;
using VisionAgent.Core.Experts;

namespace VisionAgent.Core.Llm.Offline;

/// <summary>
/// The planner used when no LLM is configured. It sits behind the same chat-completion interface as an LLM and
/// writes the same ReAct text (Thought / Action / Action Input, or Final Answer), so the parser, the dispatch and the
/// trace are those of a real run. It picks a tool from the routing rules of the experts' manifests, runs the experts
/// a rule names in <c>after</c> first and hands their regions and images on, and phrases the answer from the
/// observations. It never invents facts: when no rule matches, it says an LLM is needed.
/// </summary>
public sealed partial class OfflinePlanner : IChatCompletionService
{
    public const string Provider = "offline-planner";

    public const string NeedsLlm =
        "this needs an LLM: configure one with --llm-endpoint / VISIONAGENT_LLM_ENDPOINT / llm.endpoint in visionagent.yaml (see README)";

    private readonly ExpertRegistry _registry;
    private readonly UntrustedTextMarker _marker;

    public OfflinePlanner(ExpertRegistry registry, ITextEmbedder? embedder, UntrustedTextMarker? marker = null, OfflinePlannerOptions? options = null)
    {
        _registry = registry;
        _marker = marker ?? new UntrustedTextMarker();
        Options = options ?? new OfflinePlannerOptions();
        Index = new RoutingIndex(registry, embedder);
    }

    public OfflinePlannerOptions Options { get; }

    public RoutingIndex Index { get; }

    public LlmIdentity Identity => new(Provider, $"routes by expert manifests, {Index.Method}");

    public IReadOnlyDictionary<string, object?> Attributes { get; } = new Dictionary<string, object?>();

    public Task<IReadOnlyList<ChatMessageContent>> GetChatMessageContentsAsync(ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var text = Reply(PlannerConversation.Read(chatHistory), cancellationToken);
        IReadOnlyList<ChatMessageContent> reply = [new ChatMessageContent(AuthorRole.Assistant, text) { ModelId = Provider }];
        return Task.FromResult(reply);
    }

    public async IAsyncEnumerable<StreamingChatMessageContent> GetStreamingChatMessageContentsAsync(ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var replies = await GetChatMessageContentsAsync(chatHistory, executionSettings, kernel, cancellationToken);
        foreach (var reply in replies) yield return new StreamingChatMessageContent(reply.Role, reply.Content);
    }

    /// <summary>The ReAct text for the next step of the conversation.</summary>
    public string Reply(PlannerConversation conversation, CancellationToken cancellationToken)
    {
        if (conversation.Question.Length == 0) return Final("There is no question to answer.", "Please ask a question about an image.");

        var match = Index.Best(conversation.Question, cancellationToken);
        var threshold = match?.Method == "keywords" ? Options.KeywordThreshold : Options.SimilarityThreshold;
        if (match is null || match.Score < threshold)
        {
            var why = match is null
                ? "No expert's routing examples match this question."
                : $"The closest expert ({match.Route.Expert.Manifest.Name}, \"{match.Evidence}\", score {match.Score:0.00}) is not close enough to trust.";
            return Final(why, $"I can't answer that with the offline planner: {NeedsLlm}.");
        }

        if (_registry.Unavailable(match.Route.Tool) is { } needs)
            return Final($"The question matches {match.Route.Tool.Name}, whose models are not installed.",
                $"I can't do that here: {match.Route.Tool.Name} {needs}.");

        var plan = Plan(match.Route, out var missing);
        if (missing is not null)
            return Final($"The {match.Route.Expert.Manifest.Name} expert needs the {missing} expert first, which is not installed.",
                $"I can't do that here: {match.Route.Expert.Manifest.Name} needs the {missing} expert, which is not installed (see `visionagent tools`).");

        if (conversation.Done.Count > 0 && conversation.Done[^1].Failed)
        {
            var failed = conversation.Done[^1];
            return Final($"The {failed.Tool} expert failed.", $"I could not answer: the {failed.Tool} expert reported {Display(failed.Observation)}");
        }

        var baseImage = BaseImage(conversation);
        if (baseImage is null)
            return Final("No image is attached.", "Please attach an image first (ask --image PATH, or /image PATH in chat).");

        var next = conversation.Done.Count;
        if (next < plan.Count)
        {
            var step = plan[next];
            var arguments = Arguments(step, conversation, baseImage);
            var thought = next == 0
                ? $"The question matches {match.Route.Expert.Manifest.Name} (\"{match.Evidence}\", {match.Method} score {match.Score:0.00})" +
                  (plan.Count > 1 ? $"; it needs {string.Join(" then ", plan.Select(p => p.Tool.Name))}." : ".")
                : $"{conversation.Done[^1].Tool} is done; next {step.Tool.Name} on its output.";
            return $"Thought: {thought}\nAction: {step.Tool.Name}\nAction Input: {JsonSerializer.Serialize(arguments)}";
        }

        return Final("I have the expert's result.", Compose(match.Route, conversation, baseImage));
    }

    private static string Final(string thought, string answer) => $"Thought: {thought}\nFinal Answer: {answer}";

    /// <summary>The steps a rule needs: the experts named in <c>after</c> (recursively), then its own tool.</summary>
    private List<PlannedStep> Plan(RouteCandidate route, out string? missing)
    {
        missing = null;
        var steps = new List<PlannedStep>();
        var visiting = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { route.Expert.Manifest.Name };
        foreach (var name in route.Rule.After)
        {
            if (!AddPrerequisite(name, steps, visiting, out missing)) return steps;
        }
        steps.Add(new PlannedStep(route.Tool, route.Rule));
        return steps;
    }

    private bool AddPrerequisite(string name, List<PlannedStep> steps, HashSet<string> visiting, out string? missing)
    {
        missing = null;
        if (!visiting.Add(name)) return true;
        var candidate = Index.Candidates.FirstOrDefault(c => string.Equals(c.Expert.Manifest.Name, name, StringComparison.OrdinalIgnoreCase));
        var tool = candidate?.Tool ?? _registry.Resolve(name);
        if (tool is null)
        {
            missing = name;
            return false;
        }
        // A prerequisite whose models are not installed is skipped: the expert then works on the whole image
        // (segment falls back to the salient object when detect has no weights).
        if (_registry.MissingModels(tool).Count > 0) return true;
        foreach (var before in candidate?.Rule.After ?? [])
        {
            if (!AddPrerequisite(before, steps, visiting, out missing)) return false;
        }
        steps.Add(new PlannedStep(tool, candidate?.Rule));
        return true;
    }

    /// <summary>The image the question is about: a handle it names, else the newest input image, else the newest image.</summary>
    private static ListedImage? BaseImage(PlannerConversation conversation)
    {
        foreach (Match m in HandleMention().Matches(conversation.Question))
        {
            var named = conversation.Images.FirstOrDefault(i => string.Equals(i.Handle, m.Value, StringComparison.OrdinalIgnoreCase));
            if (named is not null) return named;
        }
        return conversation.Images.LastOrDefault(i => i.IsInput) ?? conversation.Images.LastOrDefault();
    }

    private static Dictionary<string, string> Arguments(PlannedStep step, PlannerConversation conversation, ListedImage baseImage)
    {
        var parameters = step.Tool.Parameters.Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["question"] = conversation.Question,
            ["image"] = baseImage.Handle,
            ["subject"] = Subject(conversation.Question),
        };
        var arguments = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (parameters.Contains("image")) arguments["image"] = baseImage.Handle;

        var mentionedRegion = RegionMention().Match(conversation.Question);
        string? region = mentionedRegion.Success ? mentionedRegion.Value : null;
        if (conversation.Done.Count > 0)
        {
            var previous = conversation.Done[^1];
            region = PickRegion(previous.Observation, conversation) ?? region;
            var produced = ProducedBy(previous, conversation);
            foreach (var image in produced)
            {
                values[image.Kind!] = image.Handle;
                values["produced"] = image.Handle;
                if (parameters.Contains(image.Kind!)) arguments[image.Kind!] = image.Handle;
            }
            // An expert that takes none of the produced kinds as a parameter works on the produced image itself
            // (caption the cut-out); one that does (edit's mask) keeps working on the original.
            if (region is null && parameters.Contains("image") && produced.Count > 0 && !produced.Any(i => parameters.Contains(i.Kind!)))
                arguments["image"] = produced[0].Handle;
        }
        if (region is not null)
        {
            values["region"] = region;
            var boxParameter = new[] { "box", "region" }.FirstOrDefault(parameters.Contains);
            if (boxParameter is not null) arguments[boxParameter] = region;
            else if (parameters.Contains("image")) arguments["image"] = region;
        }

        foreach (var (key, value) in step.Rule?.Arguments ?? []) arguments[key] = Fill(value, values);
        return arguments;
    }

    /// <summary>The region of the previous observation whose label the question names, else its first region.</summary>
    private static string? PickRegion(string observation, PlannerConversation conversation)
    {
        var references = RegionMention().Matches(observation).Select(m => m.Value).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (references.Count == 0) return null;
        var question = conversation.Question.ToLowerInvariant();
        foreach (var reference in references)
        {
            var listed = conversation.Regions.FirstOrDefault(r => string.Equals(r.Reference, reference, StringComparison.OrdinalIgnoreCase));
            if (listed is not null && listed.Label.Length > 0 && question.Contains(listed.Label.ToLowerInvariant(), StringComparison.Ordinal))
                return reference;
        }
        return references[0];
    }

    /// <summary>Images the previous step made: those its observation names, else the newest made by that expert.</summary>
    private static List<ListedImage> ProducedBy(DoneStep step, PlannerConversation conversation)
    {
        var expert = step.Tool.Split('.')[0];
        var made = conversation.Images.Where(i => !i.IsInput && i.Kind is not null &&
            i.Operation!.StartsWith(expert, StringComparison.OrdinalIgnoreCase)).ToList();
        var named = made.Where(i => Regex.IsMatch(step.Observation, $@"\b{i.Handle}\b(?!#)", RegexOptions.IgnoreCase)).ToList();
        return named.Count > 0 ? named : made.TakeLast(1).ToList();
    }

    private string Compose(RouteCandidate route, PlannerConversation conversation, ListedImage baseImage)
    {
        var last = conversation.Done.Count > 0 ? Display(conversation.Done[^1].Observation) : "";
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["observation"] = last,
            ["observations"] = string.Join(" ", conversation.Done.Select(d => Display(d.Observation))),
            ["question"] = conversation.Question,
            ["image"] = baseImage.Handle,
        };
        var answer = new StringBuilder(Fill(route.Rule.Answer ?? "{observation}", values).Trim());
        var made = conversation.Done.SelectMany(d => ProducedBy(d, conversation)).DistinctBy(i => i.Handle).ToList();
        if (made.Count > 0)
            answer.Append(answer.Length > 0 ? " " : "").Append("New image").Append(made.Count > 1 ? "s: " : ": ")
                .Append(string.Join(", ", made.Select(i => $"{i.Handle} ({i.Kind} of {i.Parent})"))).Append('.');
        return answer.Length > 0 ? answer.ToString() : "The expert returned nothing.";
    }

    /// <summary>Observation text as a person should read it: data marks removed, on one line.</summary>
    private string Display(string observation) =>
        Regex.Replace(_marker.Unmark(WithoutImageList(observation)).Replace(UntrustedTextMarker.Begin, "", StringComparison.Ordinal)
            .Replace(UntrustedTextMarker.End, "", StringComparison.Ordinal), @"\s*\n\s*", " ").Trim();

    /// <summary>The observation without the invoker's "New images:" line: the answer lists every new image once.</summary>
    private static string WithoutImageList(string observation)
    {
        var cut = observation.LastIndexOf("\nNew images: ", StringComparison.Ordinal);
        return cut < 0 ? observation : observation[..cut];
    }

    private static string Fill(string template, IReadOnlyDictionary<string, string> values) =>
        Placeholder().Replace(template, m => values.TryGetValue(m.Groups[1].Value, out var v) ? v : m.Value);

    /// <summary>The object a request names ("cut out the dog" -> "dog"): the words after the verb phrase.</summary>
    private static string Subject(string question)
    {
        var m = SubjectPattern().Match(RoutingIndex.Clean(question));
        return m.Success ? m.Groups["subject"].Value.Trim(' ', '.', '?', '!') : "";
    }

    private sealed record PlannedStep(ToolDescriptor Tool, RoutingRule? Rule);

    [GeneratedRegex(@"\bimg\d+\b(?!#)", RegexOptions.IgnoreCase)]
    private static partial Regex HandleMention();

    [GeneratedRegex(@"\bimg\d+#\w+", RegexOptions.IgnoreCase)]
    private static partial Regex RegionMention();

    [GeneratedRegex(@"\{(\w+)\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"\b(?:the|a|an)\s+(?<subject>[\w\s-]+?)(?:\s+(?:in|on|from|of|with)\b.*)?[.?!]?$", RegexOptions.IgnoreCase)]
    private static partial Regex SubjectPattern();
}

/// <summary>How sure the offline planner must be before it acts.</summary>
public sealed record OfflinePlannerOptions
{
    /// <summary>Cosine similarity (plus keyword bonus) below which the planner says an LLM is needed.</summary>
    public double SimilarityThreshold { get; init; } = 0.42;

    /// <summary>Keyword hits needed when embeddings are unavailable.</summary>
    public double KeywordThreshold { get; init; } = 1;
}
