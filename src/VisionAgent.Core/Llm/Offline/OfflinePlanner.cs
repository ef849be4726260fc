using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using VisionAgent.Abstractions;
using VisionAgent.Core.Agent;
using VisionAgent.Core.Experts;
using VisionAgent.Core.Llm.Offline.Slots;
using VisionAgent.Core.Prompts;

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
        Index = new RoutingIndex(registry, embedder, Options.Declines ?? OfflinePlannerPrompt.Load(PromptLibrary.Default).Declines);
    }

    public OfflinePlannerOptions Options { get; }

    public RoutingIndex Index { get; }

    public LlmIdentity Identity => new(Provider, $"routes by expert manifests, {Index.Method}");

    public IReadOnlyDictionary<string, object?> Attributes { get; } = new Dictionary<string, object?>();

    public Task<IReadOnlyList<ChatMessageContent>> GetChatMessageContentsAsync(ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var reply = Reply(PlannerConversation.Read(chatHistory), cancellationToken);
        var message = new ChatMessageContent(AuthorRole.Assistant, reply.Text) { ModelId = Provider };
        if (reply.Status is { } status) message.Metadata = new Dictionary<string, object?> { [RunStatus.MetadataKey] = status };
        IReadOnlyList<ChatMessageContent> replies = [message];
        return Task.FromResult(replies);
    }

    public async IAsyncEnumerable<StreamingChatMessageContent> GetStreamingChatMessageContentsAsync(ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var replies = await GetChatMessageContentsAsync(chatHistory, executionSettings, kernel, cancellationToken);
        foreach (var reply in replies) yield return new StreamingChatMessageContent(reply.Role, reply.Content) { Metadata = reply.Metadata };
    }

    /// <summary>The ReAct text for the next step of the conversation, and the status when it ends the run without an answer.</summary>
    public PlannerReply Reply(PlannerConversation conversation, CancellationToken cancellationToken)
    {
        if (conversation.Question.Length == 0)
            return Unanswered("There is no question to answer.", "Please ask a question about an image.");

        var choice = ChoiceFor(conversation);
        var split = Requests(conversation.Question, choice.Unmentioned, cancellationToken);
        if (split.Declined is { } declined)
        {
            var part = split.Unreadable is null ? null : choice.Unmentioned(split.Unreadable);
            return part is not null && Index.TurnDownReason(part, Index.Best(part, cancellationToken), cancellationToken) is { NeedsLlm: false } unsupported
                ? NoExpertDoes(unsupported.Reason)
                : new PlannerReply(Final($"Only an LLM can answer this: {declined}.", $"I can't answer that with the offline planner: {NeedsLlm}."), RunStatus.Declined);
        }
        if (split.IsCompound) return ReplyInTurn(conversation, split.Parts);

        // One request: the splitter has routed the whole question already.
        var task = choice.Unmentioned(conversation.Question);
        if (split.Parts is not [var only])
        {
            var best = Index.Best(task, cancellationToken);
            var turnDown = Index.TurnDownReason(task, best, cancellationToken);
            if (turnDown is { NeedsLlm: false }) return NoExpertDoes(turnDown.Reason);
            var why = best is null
                ? "No expert's routing examples match this question."
                : turnDown is { } reason
                    ? $"Only an LLM can answer this: {reason.Reason}."
                    : $"The closest expert ({best.Route.Expert.Manifest.Name}, \"{best.Evidence}\", score {best.Score:0.00}) is not close enough to trust.";
            return new PlannerReply(Final(why, $"I can't answer that with the offline planner: {NeedsLlm}."), RunStatus.Declined);
        }
        var match = only.Match;
        var expert = match.Route.Expert.Manifest.Name;
        if (CannotRun(match.Route, null, out var plan) is { } cannot) return cannot;
        if (Stopped(conversation, choice) is { } stopped) return stopped;
        if (MissingValues(match.Route, conversation.Question, choice.Images[0], null) is { } missing) return missing;

        var carried = new DoneStep?[choice.Images.Count];
        if (conversation.Done.Count < plan.Count * choice.Images.Count)
        {
            var thought = conversation.Done.Count > 0 ? null :
                $"The question matches {expert} (\"{match.Evidence}\", {match.Method} score {match.Score:0.00})" +
                (plan.Count > 1 ? $"; it needs {string.Join(" then ", plan.Select(p => p.Tool.Name))}" : "") +
                (choice.Images.Count > 1 ? $"; it is about {string.Join(" and ", choice.Images.Select(i => i.Handle))}." : ".");
            return NextStep(conversation, choice, plan, carried, thought);
        }

        return new PlannerReply(Final("I have the expert's result.", Compose(match.Route, conversation, choice, plan, carried)), null);
    }

    /// <summary>The requests the question makes, in order (<see cref="RequestSplitter"/>); each part is routed as <paramref name="forRouting"/> rewrites it.</summary>
    public RequestSplit Requests(string question, Func<string, string> forRouting, CancellationToken cancellationToken) =>
        new RequestSplitter(part => Index.Best(forRouting(part), cancellationToken), part => Route(forRouting(part), cancellationToken)).Split(question);

    /// <summary>
    /// Several requests in turn ("rotate it and then make it smaller"). Nothing runs unless every request can: its
    /// tool is installed and the words give the values it needs. Each request then works on the picture the one
    /// before made (the rotated image, the cut-out), or, when it needs first what that one just did (a mask for a
    /// new background, regions to crop to), on the same image with those results.
    /// </summary>
    private PlannerReply ReplyInTurn(PlannerConversation conversation, IReadOnlyList<RequestPart> parts)
    {
        var plans = new List<List<PlannedStep>>();
        foreach (var part in parts)
        {
            if (CannotRun(part.Match.Route, part.Text, out var plan) is { } cannot) return cannot;
            plans.Add(plan);
        }
        var first = ChoiceFor(conversation with { Question = parts[0].Text });
        if (Stopped(conversation, first) is { } stopped) return stopped;
        foreach (var part in parts)
        {
            if (MissingValues(part.Match.Route, part.Text, first.Images[0], part.Text) is { } missing) return missing;
        }

        var answers = new List<string>();
        var offset = 0;
        FinishedRequest? previous = null;
        for (var i = 0; i < parts.Count; i++)
        {
            var plan = plans[i];
            var request = conversation with { Question = parts[i].Text, Done = conversation.Done.Skip(offset).ToList() };
            ImageChoice choice;
            IReadOnlyList<DoneStep?> carried;
            if (previous is not null && plan.Count > 1 && string.Equals(plan[^2].Tool.Name, previous.Tool, StringComparison.OrdinalIgnoreCase))
            {
                plan = [plan[^1]];
                (choice, carried) = (previous.Choice, previous.Last);
            }
            else
            {
                choice = previous is null ? first : ImageChoice.For(request, previous.Pictures);
                carried = new DoneStep?[choice.Images.Count];
            }

            var needed = plan.Count * choice.Images.Count;
            if (request.Done.Count < needed)
            {
                var thought = conversation.Done.Count == 0
                    ? $"The question asks for {parts.Count} things in turn: {string.Join("; then ", parts.Select(p => $"\"{p.Text}\" ({p.Match.Route.Tool.Name})"))}."
                    : request.Done.Count == 0 ? $"\"{parts[i - 1].Text}\" is done; next \"{parts[i].Text}\"." : null;
                return NextStep(request, choice, plan, carried, thought);
            }

            var finished = request with { Done = request.Done.Take(needed).ToList() };
            answers.Add(Compose(parts[i].Match.Route, finished, choice, plan, carried));
            var last = Enumerable.Range(0, choice.Images.Count).Select(t => finished.Done[((t + 1) * plan.Count) - 1]).ToList();
            var pictures = choice.Images.Select((target, t) => ProducedBy(last[t], conversation).FirstOrDefault(NewPicture) ?? target).ToList();
            previous = new FinishedRequest(choice, plan[^1].Tool.Name, last, pictures);
            offset += needed;
        }
        return new PlannerReply(Final($"All {parts.Count} requests are done.", string.Join(" ", answers)), null);
    }

    /// <summary>
    /// Why a rule cannot run here, or null with its <paramref name="plan"/>: its tool's models are not installed, or an
    /// expert its plan needs is missing. <paramref name="part"/> quotes the request when the question makes several.
    /// </summary>
    private PlannerReply? CannotRun(RouteCandidate route, string? part, out List<PlannedStep> plan)
    {
        var (asked, cannot) = part is null ? ("The question", "I can't do that here") : ($"\"{part}\"", "I can't do all of that here");
        plan = [];
        if (_registry.Unavailable(route.Tool) is { } needs)
            return Unanswered($"{asked} matches {route.Tool.Name}, whose models are not installed.", $"{cannot}: {route.Tool.Name} {needs}.");
        plan = Plan(route, out var missingExpert);
        return missingExpert is null ? null : Unanswered($"{asked} needs the {missingExpert} expert first, which is not installed.",
            $"{cannot}: {route.Expert.Manifest.Name} needs the {missingExpert} expert, which is not installed (see `visionagent tools`).");
    }

    /// <summary>The reply asking for the values a rule needs and <paramref name="question"/> does not give, or null when it gives them all.</summary>
    private static PlannerReply? MissingValues(RouteCandidate route, string question, ListedImage image, string? part)
    {
        var slots = RuleSlots.Fill(route.Rule, SlotQuestionFor(question, image));
        if (slots.Complete) return null;
        var missing = string.Join("; and ", slots.Missing.Select(m => RuleSlots.Describe(route.Rule, m)));
        var (asked, target) = part is null ? ("The question", $"on {image.Handle}") : ($"\"{part}\"", $"(for \"{part}\")");
        return Unanswered($"{asked} matches {route.Tool.Name}, but it does not say {missing}.", $"I need {missing} to run {route.Tool.Name} {target}.");
    }

    /// <summary>The reply to a request for an operation no expert performs.</summary>
    private static PlannerReply NoExpertDoes(string operation) =>
        Unanswered($"The question asks for something no expert here does (\"{operation}\").",
            $"None of the experts here can do that (\"{operation}\" is not among what they do); `visionagent tools` lists what they do.");

    /// <summary>
    /// The images the question is about (<see cref="ImageChoice"/>). A chat follow-up that names none works on the
    /// picture the chat has been editing: the newest edit of an earlier turn, when no input was attached after it
    /// ("rotate it 90 degrees", then "now make it black and white"). The answer says so and how to name the original.
    /// </summary>
    private static ImageChoice ChoiceFor(PlannerConversation conversation)
    {
        var madeThisTurn = conversation.Done.SelectMany(d => ProducedBy(d, conversation)).Select(i => i.Handle).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var newest = conversation.Images.LastOrDefault(i => i.IsInput || (i.Kind == "edit" && !madeThisTurn.Contains(i.Handle)));
        if (newest is null || newest.IsInput) return ImageChoice.For(conversation);
        var original = newest;
        while (original.Parent is { } parent && conversation.Images.FirstOrDefault(i => string.Equals(i.Handle, parent, StringComparison.OrdinalIgnoreCase)) is { } up)
            original = up;
        return ImageChoice.For(conversation, [newest],
            $"I used {newest.Handle}, the latest edit; name {original.Handle} to work on the original instead");
    }

    /// <summary>
    /// A produced image the next request works on: an edit or a cut-out is the picture now, while a mask, an overlay
    /// or boxes drawn on a copy describe the picture they came from.
    /// </summary>
    private static bool NewPicture(ListedImage image) => image.Kind is not ("mask" or "overlay" or "annotated");

    /// <summary>Why the run ends here: the last expert failed, or there is no image to work on.</summary>
    private PlannerReply? Stopped(PlannerConversation conversation, ImageChoice choice)
    {
        if (conversation.Done.Count > 0 && conversation.Done[^1].Failed)
        {
            var failed = conversation.Done[^1];
            return Unanswered($"The {failed.Tool} expert failed.", $"I could not answer: the {failed.Tool} expert reported {Display(failed.Observation)}");
        }
        return choice.Images.Count == 0
            ? Unanswered("No image is attached.", "Please attach an image first (ask --image PATH, or /image PATH in chat).")
            : null;
    }

    /// <summary>
    /// The next action of a request: the step its plan is at, on the image it is at, fed by the step before it (or,
    /// for a plan's first step, by what an earlier request <paramref name="carried"/> over for that image).
    /// </summary>
    private static PlannerReply NextStep(PlannerConversation conversation, ImageChoice choice, List<PlannedStep> plan, IReadOnlyList<DoneStep?> carried, string? thought)
    {
        var next = conversation.Done.Count;
        var target = choice.Images[next / plan.Count];
        var position = next % plan.Count;
        var step = plan[position];
        var previous = position > 0 ? conversation.Done[^1] : carried[next / plan.Count];
        var arguments = Arguments(step, conversation, target, previous);
        thought ??= position == 0 ? $"{target.Handle} is next." : $"{conversation.Done[^1].Tool} is done; next {step.Tool.Name} on its output.";
        return new PlannerReply($"Thought: {thought}\nAction: {step.Tool.Name}\nAction Input: {JsonSerializer.Serialize(arguments)}", null);
    }

    /// <summary>What a finished request hands the next: its images, its last tool, that tool's step per image, and the picture each image now is.</summary>
    private sealed record FinishedRequest(ImageChoice Choice, string Tool, IReadOnlyList<DoneStep> Last, IReadOnlyList<ListedImage> Pictures);

    /// <summary>The rule the planner trusts for the question, or null when it declines (not close enough, or only an LLM can answer).</summary>
    public RouteMatch? Route(string question, CancellationToken cancellationToken)
    {
        var match = Index.Best(question, cancellationToken);
        var threshold = match?.Method == "keywords" ? Options.KeywordThreshold : Options.SimilarityThreshold;
        if (match is null || match.Score < threshold) return null;
        return Index.TurnDownReason(question, match, cancellationToken) is null ? match : null;
    }

    private static PlannerReply Unanswered(string thought, string answer) => new(Final(thought, answer), RunStatus.Unanswered);

    private static SlotQuestion SlotQuestionFor(string question, ListedImage image)
    {
        var size = ImageChoice.SizeOf(image);
        return new SlotQuestion(RoutingIndex.Clean(question), size?.Width, size?.Height);
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

    /// <summary>
    /// The arguments of one step on one image: the image, what the previous step of this image's chain made (its
    /// region, or its image of a kind the tool takes), the values the rule's slots found in the question, then the
    /// rule's fixed arguments.
    /// </summary>
    private static Dictionary<string, string> Arguments(PlannedStep step, PlannerConversation conversation, ListedImage target, DoneStep? previous)
    {
        var parameters = step.Tool.Parameters.Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["question"] = conversation.Question,
            ["image"] = target.Handle,
            ["subject"] = Subject(conversation.Question),
        };
        var arguments = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (parameters.Contains("image")) arguments["image"] = target.Handle;

        var mentionedRegion = RegionMention().Match(conversation.Question);
        string? region = mentionedRegion.Success ? mentionedRegion.Value : null;
        if (previous is not null)
        {
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

        if (step.Rule is { } rule)
        {
            foreach (var (parameter, value) in RuleSlots.Fill(rule, SlotQuestionFor(conversation.Question, target)).Values)
            {
                values[parameter] = value;
                if (parameters.Contains(parameter)) arguments[parameter] = value;
            }
            foreach (var (key, value) in rule.Arguments) arguments[key] = Fill(value, values);
        }
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

    /// <summary>
    /// Images a step made: those its observation names, else the newest made by that expert. An observation also names
    /// the image the step worked on, which an earlier step of the same expert may have made ("img3: img2 adjusted"), so
    /// images of that very function are preferred, and an image that another named one was made from is left out.
    /// </summary>
    private static List<ListedImage> ProducedBy(DoneStep step, PlannerConversation conversation)
    {
        var expert = step.Tool.Split('.')[0];
        var made = conversation.Images.Where(i => !i.IsInput && i.Kind is not null &&
            i.Operation!.StartsWith(expert, StringComparison.OrdinalIgnoreCase)).ToList();
        var byFunction = made.Where(i => string.Equals(i.Operation, step.Tool, StringComparison.OrdinalIgnoreCase)).ToList();
        if (byFunction.Count > 0) made = byFunction;
        var named = made.Where(i => Regex.IsMatch(step.Observation, $@"\b{i.Handle}\b(?!#)", RegexOptions.IgnoreCase)).ToList();
        named = named.Where(i => !named.Any(other => string.Equals(other.Parent, i.Handle, StringComparison.OrdinalIgnoreCase))).ToList();
        return named.Count > 0 ? named : made.TakeLast(1).ToList();
    }

    /// <summary>
    /// The answer from the rule's template, once per image the question was about (side by side when there are
    /// several), then the new images that are not named yet, and the note on which image was used.
    /// </summary>
    private string Compose(RouteCandidate route, PlannerConversation conversation, ImageChoice choice, IReadOnlyList<PlannedStep> plan, IReadOnlyList<DoneStep?> carried)
    {
        var template = route.Rule.Answer ?? "{observation}";
        var parts = new List<string>();
        var named = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < choice.Images.Count; i++)
        {
            var target = choice.Images[i];
            var steps = conversation.Done.Skip(i * plan.Count).Take(plan.Count).ToList();
            // The arguments the rule's own step was called with, so the answer says what was done in the user's terms.
            var called = Arguments(plan[^1], conversation, target, steps.Count >= 2 ? steps[^2] : carried[i]);
            var values = new Dictionary<string, string>(called, StringComparer.OrdinalIgnoreCase)
            {
                ["observation"] = steps.Count > 0 ? Display(steps[^1].Observation) : "",
                ["observations"] = string.Join(" ", steps.Select(d => Display(d.Observation))),
                ["question"] = conversation.Question,
                ["image"] = target.Handle,
            };
            foreach (var (key, value) in RuleSlots.Fill(route.Rule, SlotQuestionFor(conversation.Question, target)).Values) values.TryAdd(key, value);
            if (steps.Count > 0 && ProducedBy(steps[^1], conversation).FirstOrDefault() is { } made)
            {
                values["produced"] = made.Handle;
                values["produced_size"] = ImageChoice.SizeOf(made) is { } size ? $"{size.Width}x{size.Height}" : "";
                if (template.Contains("{produced}", StringComparison.Ordinal)) named.Add(made.Handle);
            }
            var text = Fill(template, values).Trim();
            parts.Add(choice.Images.Count > 1 ? $"{target.Handle} ({ImageChoice.FileName(target)}): {text}" : text);
        }

        var answer = new StringBuilder(string.Join(choice.Images.Count > 1 ? "\n" : " ", parts.Where(p => p.Length > 0)));
        var unnamed = conversation.Done.SelectMany(d => ProducedBy(d, conversation)).DistinctBy(i => i.Handle).Where(i => !named.Contains(i.Handle)).ToList();
        if (unnamed.Count > 0)
            answer.Append(answer.Length > 0 ? " " : "").Append(named.Count > 0 ? "Also new: " : "New image").Append(named.Count > 0 ? "" : unnamed.Count > 1 ? "s: " : ": ")
                .Append(string.Join(", ", unnamed.Select(i => $"{i.Handle} ({i.Kind} of {i.Parent})"))).Append('.');
        if (choice.Note is not null) answer.Append(answer.Length > 0 ? " " : "").Append('(').Append(choice.Note).Append(')');
        return answer.Length > 0 ? answer.ToString() : "The expert returned nothing.";
    }

    /// <summary>Observation text as a person should read it: data marks removed, on one line.</summary>
    private string Display(string observation) =>
        Regex.Replace(_marker.Unmark(WithoutImageList(observation)).Replace(UntrustedTextMarker.Begin, "", StringComparison.Ordinal)
            .Replace(UntrustedTextMarker.End, "", StringComparison.Ordinal), @"\s*\n\s*", " ").Trim();

    // The answer lists every new image once, so the observation's own "New images" suffix is dropped.
    private static string WithoutImageList(string observation) => ReActTranscript.WithoutNewImages(observation);

    private static string Fill(string template, IReadOnlyDictionary<string, string> values) =>
        Placeholder().Replace(template, m => values.TryGetValue(m.Groups[1].Value, out var v) ? v : m.Value);

    /// <summary>The object a request names ("cut out the dog" -> "dog"): the words after the verb phrase.</summary>
    private static string Subject(string question)
    {
        var m = SubjectPattern().Match(RoutingIndex.Clean(question));
        return m.Success ? m.Groups["subject"].Value.Trim(' ', '.', '?', '!') : "";
    }

    private sealed record PlannedStep(ToolDescriptor Tool, RoutingRule? Rule);

    [GeneratedRegex(@"\bimg\d+#\w+", RegexOptions.IgnoreCase)]
    private static partial Regex RegionMention();

    [GeneratedRegex(@"\{(\w+)\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"\b(?:the|a|an)\s+(?<subject>[\w\s-]+?)(?:\s+(?:in|on|from|of|with)\b.*)?[.?!]?$", RegexOptions.IgnoreCase)]
    private static partial Regex SubjectPattern();
}

/// <summary>The planner's next ReAct text; <see cref="Status"/> is set when it ends the run without an answer (declined, unanswered).</summary>
public sealed record PlannerReply(string Text, string? Status);

/// <summary>How sure the offline planner must be before it acts.</summary>
public sealed record OfflinePlannerOptions
{
    /// <summary>Cosine similarity (plus keyword bonus) below which the planner says an LLM is needed.</summary>
    public double SimilarityThreshold { get; init; } = 0.42;

    /// <summary>Keyword hits needed when embeddings are unavailable.</summary>
    public double KeywordThreshold { get; init; } = 1;

    /// <summary>Requests to decline; null reads them from <c>prompts/offline-planner.yaml</c>.</summary>
    public DeclineRules? Declines { get; init; }
}
