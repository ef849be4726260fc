using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.SemanticKernel;
using VisionAgent.Abstractions;
using VisionAgent.Core.Configuration;
using VisionAgent.Core.Experts;

namespace VisionAgent.Core.Agent;

/// <summary>The result of one tool call as the loop records it.</summary>
public sealed record ToolOutcome(string Tool, string Observation, ExpertResult? Result, bool Failed, long DurationMs, IReadOnlyDictionary<string, string> Arguments)
{
    /// <summary>The failure behind a failed outcome, when an expert threw (null for argument problems).</summary>
    public Exception? Error { get; init; }

    /// <summary>What went wrong, in one sentence without any prefix, for a failed outcome; null when it succeeded.</summary>
    public string? Problem { get; init; }

    /// <summary>A failed call: the observation tells the model, <see cref="Problem"/> tells code.</summary>
    public static ToolOutcome Failure(string tool, string problem, IReadOnlyDictionary<string, string> arguments, long durationMs) =>
        new(tool, ReActTranscript.Failure(problem), null, true, durationMs, arguments) { Problem = problem };

    /// <summary>The CLI exit code for this outcome: 0, 3 for bad input or a missing model, 1 for an expert's own failure.</summary>
    public int ExitCode => !Failed ? ExitCodes.Answered : Error switch
    {
        null => ExitCodes.BadInput,
        VisionAgentException v => v.ExitCode,
        ArgumentException or FormatException or InvalidCastException => ExitCodes.BadInput,
        _ => ExitCodes.Unexpected,
    };
}

/// <summary>
/// Calls experts on behalf of the LLM (or the <c>tool</c> command): resolves the tool, maps and checks the
/// arguments against the function's metadata, refuses paths and URLs, invokes it, and turns every failure
/// into an observation that says what was wrong and what is valid.
/// </summary>
public sealed partial class ToolInvoker(ExpertRegistry registry, IImageStore images, UntrustedTextMarker marker, IToolCallInterceptor? interceptor = null)
{
    /// <summary>
    /// The longest argument value (and tool name) accepted from the LLM. Handles and prompts are short; a longer
    /// value is refused before any pattern looks at it, so no check on model-supplied text grows with its size.
    /// </summary>
    public const int MaxArgumentLength = 4096;

    private static readonly string[] ImageAliases = ["image", "img", "image_handle", "handle", "image_id", "input_image", "input", "src", "source"];

    /// <summary>Keys under which models nest the real arguments one level too deep.</summary>
    private static readonly string[] WrapperKeys = ["input", "inputs", "args", "arguments", "parameters", "params", "action_input", "tool_input", "kwargs"];

    public ExpertRegistry Registry => registry;

    public Task<ToolOutcome> InvokeAsync(string toolName, IReadOnlyDictionary<string, string> arguments, string? positional, CancellationToken cancellationToken) =>
        interceptor is null
            ? InvokeCoreAsync(toolName, arguments, positional, cancellationToken)
            : interceptor.InvokeAsync(new ToolCallRequest(toolName, arguments, positional), ct => InvokeCoreAsync(toolName, arguments, positional, ct), cancellationToken);

    private async Task<ToolOutcome> InvokeCoreAsync(string toolName, IReadOnlyDictionary<string, string> arguments, string? positional, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var stopwatch = Stopwatch.StartNew();
        var tool = toolName.Length > MaxArgumentLength ? null : registry.Resolve(toolName, arguments);
        if (tool is null)
            return Fail(QuotedText.Excerpt(toolName), $"Unknown tool '{QuotedText.Excerpt(toolName)}'. Valid tools: {string.Join(", ", registry.Tools.Select(t => t.Name))}.", arguments, stopwatch);

        var (mapped, problem) = MapArguments(tool, arguments, positional, cancellationToken);
        if (problem is not null) return Fail(tool.Name, problem, mapped, stopwatch);

        try
        {
            var result = await tool.Function.InvokeAsync(registry.Kernel, ToKernelArguments(mapped), cancellationToken);
            var expertResult = result.GetValue<object>() switch
            {
                ExpertResult r => r,
                null => ExpertResult.Text("(no result)"),
                var other => ExpertResult.Text(other.ToString() ?? ""),
            };
            return new ToolOutcome(tool.Name, Format(expertResult), expertResult, false, stopwatch.ElapsedMilliseconds, mapped);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The one place where any expert failure becomes an observation for the LLM, sanitised.
            return Fail(tool.Name, Describe(tool.Name, ex), mapped, stopwatch) with { Error = Unwrap(ex) };
        }
        finally
        {
            images.ReleaseUnusedReservations();
        }
    }

    /// <summary>The observation text for a result: the expert's text (marked when untrusted) and the new handles.</summary>
    public string Format(ExpertResult result) =>
        ReActTranscript.Success(result.ContainsUntrustedText ? marker.Mark(result.Observation) : result.Observation, result.Images);

    private (Dictionary<string, string> Mapped, string? Problem) MapArguments(
        ToolDescriptor tool, IReadOnlyDictionary<string, string> arguments, string? positional, CancellationToken cancellationToken)
    {
        var parameters = tool.Parameters;
        var mapped = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (rawKey, value) in arguments)
        {
            if (rawKey.Length > MaxArgumentLength || value.Length > MaxArgumentLength)
                return (mapped, TooLong(tool.Name, rawKey, Math.Max(rawKey.Length, value.Length)));
        }
        var (given, wrapperProblem) = Unwrap(tool, arguments);
        if (wrapperProblem is not null) return (mapped, wrapperProblem);
        var ignored = new List<string>();
        foreach (var (rawKey, value) in given)
        {
            var key = ReActParser.NormaliseKey(rawKey);
            if (key is "op" or "operation" && tool.Expert.Plugin?.Count() > 1 && !parameters.Any(p => p.Name == key)) continue;
            var parameter = parameters.FirstOrDefault(p => ReActParser.NormaliseKey(p.Name) == key)
                ?? (ImageAliases.Contains(key) ? parameters.FirstOrDefault(p => p.Name == "image") : null);
            if (parameter is null) ignored.Add(rawKey);
            else mapped[parameter.Name] = value;
        }
        if (positional is not null)
        {
            var target = parameters.FirstOrDefault(p => p.Name == "image" && !mapped.ContainsKey(p.Name))
                ?? parameters.FirstOrDefault(p => p.IsRequired && !mapped.ContainsKey(p.Name));
            if (positional.Length > MaxArgumentLength) return (mapped, TooLong(tool.Name, target?.Name ?? "input", positional.Length));
            if (target is not null) mapped[target.Name] = positional;
        }

        foreach (var (key, value) in mapped)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (LooksLikePathOrUrl(value))
                return (mapped, $"Argument '{key}' of {tool.Name} looks like a file path or URL. Tools accept image handles only: {HandleList()}.");
            // Said here in plain words: the conversion inside the kernel would name the .NET type instead.
            if (parameters.First(p => p.Name == key).ParameterType is { } type && !ValueKinds.IsReadable(value.Trim(), type))
                return (mapped, $"Argument '{key}' of {tool.Name} expects {ValueKinds.Describe(type)}, got '{QuotedText.Excerpt(value)}'.");
        }

        var unknown = ignored.Count == 0 ? "" : $"{tool.Name} has no argument {string.Join(", ", ignored.Take(8).Select(i => $"'{QuotedText.Excerpt(i)}'"))}. ";
        var missing = parameters.Where(p => p.IsRequired && !mapped.ContainsKey(p.Name)).Select(p => p.Name).ToList();
        if (missing.Count > 0)
        {
            var usage = string.Join(", ", parameters.Select(p => p.IsRequired ? p.Name : p.Name + "?"));
            return (mapped, $"{unknown}{tool.Name} needs {string.Join(" and ", missing)}. Its arguments: {usage}. Images: {HandleList()}.");
        }
        if (ignored.Count > 0)
        {
            var names = string.Join(", ", parameters.Select(p => p.Name));
            return (mapped, $"{unknown}Its arguments: {names}.");
        }
        return (mapped, null);
    }

    private static string TooLong(string tool, string key, int length) =>
        $"Argument '{QuotedText.Excerpt(key)}' of {tool} is {length:N0} characters long; arguments are at most {MaxArgumentLength:N0} (pass image handles such as img1 and short text).";

    /// <summary>
    /// Lifts arguments a model nested one level too deep (<c>{"args": {"image": "img1"}}</c>) to the top, unless the
    /// tool has a parameter of the wrapper's name; a key given both inside and beside the wrapper is refused.
    /// </summary>
    private static (IReadOnlyDictionary<string, string> Arguments, string? Problem) Unwrap(ToolDescriptor tool, IReadOnlyDictionary<string, string> arguments)
    {
        bool IsWrapper(string key, string value)
        {
            var name = ReActParser.NormaliseKey(key);
            return WrapperKeys.Contains(name) && value.TrimStart().StartsWith('{') && !tool.Parameters.Any(p => ReActParser.NormaliseKey(p.Name) == name);
        }

        if (!arguments.Any(a => IsWrapper(a.Key, a.Value))) return (arguments, null);
        var lifted = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in arguments.Where(a => !IsWrapper(a.Key, a.Value))) lifted[key] = value;
        foreach (var (wrapper, value) in arguments.Where(a => IsWrapper(a.Key, a.Value)))
        {
            if (LenientJsonReader.Read(value.Trim()).Value is not JsonishObject inner)
                return (arguments, $"Could not read the arguments nested under '{wrapper}' of {tool.Name}. Pass them as one flat JSON object, e.g. {{\"image\": \"img1\"}}.");
            foreach (var (key, innerValue) in inner.Members)
            {
                var text = innerValue.ToArgumentText();
                var clash = lifted.FirstOrDefault(l => ReActParser.NormaliseKey(l.Key) == ReActParser.NormaliseKey(key));
                if (clash.Key is not null && clash.Value != text)
                    return (arguments, $"{tool.Name} got '{key}' twice: '{clash.Value}' beside '{wrapper}' and '{text}' inside it. Give it once.");
                lifted[key] = text;
            }
        }
        return (lifted, null);
    }

    private string HandleList()
    {
        var handles = images.Images.Select(i => i.Handle).Concat(images.Regions.Select(r => r.Reference)).ToList();
        return handles.Count == 0 ? "(none attached)" : string.Join(", ", handles);
    }

    private static KernelArguments ToKernelArguments(Dictionary<string, string> mapped)
    {
        var arguments = new KernelArguments();
        foreach (var (key, value) in mapped) arguments[key] = value;
        return arguments;
    }

    private static Exception Unwrap(Exception ex)
    {
        var inner = ex;
        while (inner is KernelException or System.Reflection.TargetInvocationException or AggregateException && inner.InnerException is not null)
            inner = inner.InnerException!;
        return inner;
    }

    private string Describe(string tool, Exception ex)
    {
        var inner = Unwrap(ex);
        return inner switch
        {
            UnknownHandleException u => $"{tool}: {u.Message}",
            VisionAgentException v => $"{tool}: {v.Message}",
            ArgumentException or FormatException or InvalidCastException =>
                $"{tool}: bad argument ({FirstLine(inner.Message)}). Images: {HandleList()}.",
            _ => $"{tool} failed ({inner.GetType().Name}: {FirstLine(inner.Message)}).",
        };
    }

    private static ToolOutcome Fail(string tool, string message, IReadOnlyDictionary<string, string> arguments, Stopwatch stopwatch) =>
        ToolOutcome.Failure(tool, message, arguments, stopwatch.ElapsedMilliseconds);

    private static string FirstLine(string text)
    {
        var line = text.Split('\n')[0].Trim();
        return line.Length > 200 ? line[..200] : line;
    }

    /// <summary>
    /// True for anything an LLM could use to reach a file or the network instead of a handle: URLs and URIs
    /// (also percent-encoded), absolute, home-relative, drive, UNC and device paths, traversal anywhere in the
    /// value, environment-variable paths, image file names, and NUL characters. Free text such as a prompt
    /// ("red/green", "note: keep edges") passes. No pattern backtracks more than linearly, so the time is linear
    /// in the length of the value (callers cap that length first, see <see cref="MaxArgumentLength"/>).
    /// </summary>
    public static bool LooksLikePathOrUrl(string value)
    {
        if (value.Contains('\0')) return true;
        var v = value.Trim().Trim('"', '\'', '`', '<', '>', '(', ')', '[', ']').Trim();
        if (v.Length == 0) return false;
        if (IsPathOrUrl(v)) return true;
        string decoded;
        try
        {
            decoded = Uri.UnescapeDataString(v);
        }
        catch (UriFormatException)
        {
            return true;
        }
        return decoded != v && (decoded.Contains('\0') || IsPathOrUrl(decoded.Trim()));
    }

    private static bool IsPathOrUrl(string v) =>
        UrlLike().IsMatch(v) || EmbeddedUrl().IsMatch(v) || AbsolutePath().IsMatch(v) || Traversal().IsMatch(v) || FileLike().IsMatch(v);

    // Source-generated, backtracking, and written so that none backtracks more than linearly (each is anchored at
    // the start, or its repeated classes cannot overlap what follows them): values are at most MaxArgumentLength
    // long here, but the patterns hold on a megabyte too. The non-backtracking engine gave the same guarantee but
    // built its automata at run time, 60 ms of every tool call.
    [GeneratedRegex(@"^[a-z][a-z0-9+.\-]*://|^(data|file|javascript|vbscript|blob|jar|smb|ftp|https?|mailto|about|view-source):", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex UrlLike();

    [GeneratedRegex(@"\b(https?|ftp|file|smb|data|blob|jar)://|\bfile:[/\\]|\bdata:(?>[a-z]+)/(?>[a-z0-9.+\-]+)[;,]", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex EmbeddedUrl();

    [GeneratedRegex(@"^(/|~$|~[^\s]*[/\\]|\.{1,2}$|\.{1,2}[/\\]|[A-Za-z]:([/\\]|$|[^\s:]*\.\w{1,5}$)|\\|\$\{?\w+\}?[/\\]|%\w+%[/\\])")]
    private static partial Regex AbsolutePath();

    [GeneratedRegex(@"(^|[/\\])\.\.([/\\]|$)")]
    private static partial Regex Traversal();

    // A path with a folder and an image or model extension, or a bare image file name. The look-ahead finds the
    // first separator once, so the rest is one scan back from the end.
    [GeneratedRegex(@"^(?=[^\s/\\]*[/\\])[^\s]*\.(png|jpe?g|webp|bmp|gif|tiff?|onnx|txt|json|ya?ml)$|^[^\s/\\]+\.(png|jpe?g|webp|bmp|gif|tiff?)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex FileLike();
}
