using System.Reflection;
using Microsoft.SemanticKernel;
using VisionAgent.Abstractions;

namespace VisionAgent.Core.Experts;

/// <summary>An expert known to the host: its manifest, its SK plugin when it loaded, and where it came from.</summary>
public sealed record ExpertEntry(ExpertManifest Manifest, KernelPlugin? Plugin, string Origin, string? LoadError = null)
{
    public bool Loaded => Plugin is not null;
}

/// <summary>A callable tool: one kernel function of an expert, under the name the LLM uses.</summary>
public sealed record ToolDescriptor(string Name, ExpertEntry Expert, KernelFunction Function)
{
    public IReadOnlyList<KernelParameterMetadata> Parameters => Function.Metadata.Parameters;
}

/// <summary>
/// Every expert of the process and the kernel that holds their plugins. Tool names: the expert's name when
/// it has one function, else <c>expert.function</c>.
/// </summary>
public sealed class ExpertRegistry
{
    private readonly Dictionary<string, ToolDescriptor> _byName = new(StringComparer.OrdinalIgnoreCase);

    public ExpertRegistry(IEnumerable<ExpertEntry> experts, IModelLocator models)
    {
        Models = models;
        Kernel = new Kernel();
        var list = new List<ExpertEntry>();
        var tools = new List<ToolDescriptor>();
        foreach (var expert in experts)
        {
            if (list.Any(e => e.Manifest.Name == expert.Manifest.Name))
            {
                list.Add(expert with { Plugin = null, LoadError = $"another expert is already named '{expert.Manifest.Name}'" });
                continue;
            }
            if (expert.Plugin is not null && ArgumentNameProblem(expert) is { } problem)
            {
                list.Add(expert with { Plugin = null, LoadError = problem });
                continue;
            }
            list.Add(expert);
            if (expert.Plugin is null) continue;
            Kernel.Plugins.Add(expert.Plugin);
            var functions = expert.Plugin.ToList();
            foreach (var function in functions)
            {
                var name = functions.Count == 1 ? expert.Manifest.Name : $"{expert.Manifest.Name}.{function.Name}";
                var tool = new ToolDescriptor(name, expert, function);
                tools.Add(tool);
                _byName[name] = tool;
            }
        }
        Experts = list;
        Tools = tools;
    }

    public Kernel Kernel { get; }

    public IModelLocator Models { get; }

    public IReadOnlyList<ExpertEntry> Experts { get; }

    public IReadOnlyList<ToolDescriptor> Tools { get; }

    /// <summary>
    /// Finds a tool by the name an LLM or a user wrote: any case, '-' or '_' for '.', the expert alone when it
    /// has one function, or the expert plus an <c>op</c>/<c>operation</c> argument naming the function.
    /// </summary>
    public ToolDescriptor? Resolve(string name, IReadOnlyDictionary<string, string>? arguments = null)
    {
        var key = name.Trim().Trim('`', '"', '\'', '.', ':');
        if (_byName.TryGetValue(key, out var tool)) return tool;
        foreach (var separator in new[] { '_', '-', '/', ':' })
        {
            var i = key.IndexOf(separator, StringComparison.Ordinal);
            if (i > 0 && _byName.TryGetValue($"{key[..i]}.{key[(i + 1)..]}", out tool)) return tool;
        }
        var expertTools = Tools.Where(t => string.Equals(t.Expert.Manifest.Name, key, StringComparison.OrdinalIgnoreCase)).ToList();
        if (expertTools.Count > 1 && arguments is not null &&
            (arguments.TryGetValue("op", out var op) || arguments.TryGetValue("operation", out op)))
        {
            return expertTools.FirstOrDefault(t => string.Equals(t.Function.Name, op.Trim(), StringComparison.OrdinalIgnoreCase));
        }
        return null;
    }

    /// <summary>
    /// Why an expert's tool arguments cannot be offered as they are, or null: every argument is snake_case
    /// (<c>max_boxes</c>, never <c>maxBoxes</c>), so LLMs, <c>--arg</c>, settings and MCP clients name it one way.
    /// An MCP server's tools keep the names their server gives them.
    /// </summary>
    public static string? ArgumentNameProblem(ExpertEntry expert)
    {
        if (expert.Plugin is null || string.Equals(expert.Manifest.Kind, McpKind, StringComparison.Ordinal)) return null;
        foreach (var function in expert.Plugin)
        {
            foreach (var parameter in function.Metadata.Parameters.Where(p => !IsSnakeCase(p.Name)))
                return $"argument '{parameter.Name}' of {expert.Manifest.Name}.{function.Name} is not snake_case (write it as '{ToSnakeCase(parameter.Name)}')";
        }
        return null;
    }

    /// <summary>The manifest kind of experts that stand for an MCP server's tools.</summary>
    public const string McpKind = "mcp";

    public static bool IsSnakeCase(string name) =>
        name.Length > 0 && char.IsAsciiLetterLower(name[0]) && !name.EndsWith('_') && !name.Contains("__", StringComparison.Ordinal) &&
        name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_');

    private static string ToSnakeCase(string name)
    {
        var snake = new System.Text.StringBuilder();
        foreach (var c in name)
        {
            if (char.IsUpper(c) && snake.Length > 0) snake.Append('_');
            snake.Append(char.ToLowerInvariant(c));
        }
        return snake.ToString();
    }

    /// <summary>Names of the required model files that are neither present nor fetchable on first use.</summary>
    public IReadOnlyList<string> MissingModels(ExpertManifest manifest) => Missing(manifest, m => m.Required).Select(m => m.Name).ToList();

    /// <summary>
    /// The files one tool cannot run without that are neither present nor fetchable on first use: the expert's
    /// required files and the optional ones the manifest marks as needed by this function.
    /// </summary>
    public IReadOnlyList<ModelFileSpec> MissingModels(ToolDescriptor tool) =>
        Missing(tool.Expert.Manifest, m => m.IsNeededBy(tool.Function.Name)).ToList();

    /// <summary>Null when the tool can run; else what it needs, with the command that installs it.</summary>
    public string? Unavailable(ToolDescriptor tool)
    {
        var missing = MissingModels(tool);
        if (missing.Count == 0) return null;
        var expert = tool.Expert.Manifest.Name;
        if (missing.Any(m => m.Sources.Count == 0))
            return $"needs models ({string.Join(", ", missing.Select(m => m.Name))}): no download source is known; give their paths under experts.{expert}.models in visionagent.yaml";
        var groups = missing.Select(m => m.Group).Distinct().ToList();
        var fetch = groups.Count == 1 && groups[0] is { } group
            ? $"visionagent models fetch {expert} --group {group}"
            : $"visionagent models fetch {expert}";
        return groups.Count == 1 && groups[0] is not null
            ? $"needs models: {fetch}"
            : $"needs models ({string.Join(", ", missing.Select(m => m.Name))}): {fetch}";
    }

    private IEnumerable<ModelFileSpec> Missing(ExpertManifest manifest, Func<ModelFileSpec, bool> needed) =>
        manifest.Models.Where(m => needed(m) && !m.AutoFetch && !Models.IsAvailable(manifest.Name, m.Name));

    /// <summary>Instantiates one module; a failure is recorded on the entry (reported by <c>tools</c>), never thrown.</summary>
    public static ExpertEntry CreateEntry(Type moduleType, Assembly assembly, Func<ExpertManifest, ExpertContext> contextFactory, string origin, ExpertManifest? manifest = null)
    {
        try
        {
            manifest ??= ExpertManifestReader.ReadEmbedded(assembly);
        }
        catch (VisionAgentException ex)
        {
            return new ExpertEntry(new ExpertManifest { Name = moduleType.Name.ToLowerInvariant(), Description = "(no manifest)" }, null, origin, ex.Message);
        }
        try
        {
            var module = (IExpertModule)Activator.CreateInstance(moduleType)!;
            var plugin = module.CreatePlugin(contextFactory(manifest));
            return new ExpertEntry(manifest, KernelPluginFactory.CreateFromObject(plugin, manifest.Name), origin);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A broken plugin must never take the host down: it is reported by `tools` and skipped.
            var inner = ex is TargetInvocationException { InnerException: { } i } ? i : ex;
            return new ExpertEntry(manifest, null, origin, $"{inner.GetType().Name}: {inner.Message.Split('\n')[0]}");
        }
    }
}
