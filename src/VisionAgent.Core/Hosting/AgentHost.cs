using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel.ChatCompletion;
using VisionAgent.Abstractions;
using VisionAgent.Core.Agent;
using VisionAgent.Core.Configuration;
using VisionAgent.Core.Experts;
using VisionAgent.Core.Llm;
using VisionAgent.Core.Prompts;
using VisionAgent.Imaging;
using VisionAgent.ModelStore;
using VisionAgent.Onnx;

namespace VisionAgent.Core.Hosting;

/// <summary>
/// Everything one run of VisionAgent needs, wired once: configuration, image store, ONNX sessions, model cache,
/// experts, and the LLM. Commands and tests build one of these and ask it for sessions.
/// </summary>
public sealed class AgentHost : IDisposable
{
    private readonly List<IDisposable> _owned = [];

    private AgentHost(AgentHostOptions options, IReadOnlyList<Assembly> expertAssemblies, IEnumerable<ExpertEntry>? extraExperts, Func<AgentHost, IEnumerable<ExpertEntry>>? expertFactory)
    {
        Options = options;
        Config = options.Config;
        Home = options.Home ?? DataFolders.Home();
        OutputDirectory = options.OutputDirectory ?? Path.Combine(DataFolders.Sessions(Home), options.SessionId, "images");
        Loader = new ImageLoader(new ImageLimits
        {
            MaxWidth = Config.Images.MaxWidth,
            MaxHeight = Config.Images.MaxHeight,
            MaxPixels = (long)(Config.Images.MaxMegapixels * 1_000_000),
            AllocationLimitMegabytes = Config.Images.MemoryLimitMegabytes,
        });
        Images = new ImageHandleStore(OutputDirectory, Loader);
        if (options.SharedOnnx is { } shared)
        {
            Onnx = shared;
        }
        else
        {
            Onnx = new OnnxSessionPool(new OnnxOptions
            {
                Device = Config.Onnx.Device,
                GpuId = Config.Onnx.Gpu,
                Threads = Config.Onnx.Threads,
                OptimizedModelCache = Config.Onnx.CacheOptimized ? Path.Combine(DataFolders.Models(Config, Home), "onnx-optimized") : null,
            }, options.Warn);
            _owned.Add(Onnx);
        }
        Marker = new UntrustedTextMarker();

        var modules = DiscoverModules(expertAssemblies, options.Warn);
        Models = new ModelCache(new ModelCacheOptions
        {
            CacheDirectory = DataFolders.Models(Config, Home),
            Offline = options.OfflineModels,
            Overrides = MergeOverrides(Config, options.ModelOverrides),
            Manifests = modules.Select(m => m.Manifest).ToList(),
            Progress = options.Progress,
        });

        var services = new ServiceCollection()
            .AddSingleton(Onnx)
            .AddSingleton(Loader)
            .AddSingleton(Marker)
            .AddSingleton<IImageStore>(Images)
            .AddSingleton<IModelLocator>(Models)
            .AddSingleton(Config)
            .AddSingleton<IMaskProvider>(_ => new SegmenterMaskProvider(GetInvoker));
        var provider = services.BuildServiceProvider();
        _owned.Add(provider);
        Services = provider;

        var entries = modules.Select(m => m.Entry ?? ExpertRegistry.CreateEntry(m.Type!, m.Type!.Assembly, CreateContext, "built-in", m.Manifest)).ToList();
        if (extraExperts is not null) entries.AddRange(extraExperts);
        if (expertFactory is not null) entries.AddRange(expertFactory(this));
        Registry = new ExpertRegistry(entries.Where(e => IsEnabled(e.Manifest.Name)), Models);
        foreach (var broken in Registry.Experts.Where(e => e.LoadError is not null))
            options.Warn?.Invoke($"expert '{broken.Manifest.Name}' skipped: {broken.LoadError}");
        Invoker = new ToolInvoker(Registry, Images, Marker);
    }

    public AgentHostOptions Options { get; }
    public VisionAgentConfig Config { get; }
    public string Home { get; }
    public string OutputDirectory { get; }
    public ImageLoader Loader { get; }
    public ImageHandleStore Images { get; }
    public OnnxSessionPool Onnx { get; }
    public ModelCache Models { get; }
    public UntrustedTextMarker Marker { get; }
    public IServiceProvider Services { get; }
    public ExpertRegistry Registry { get; }
    public ToolInvoker Invoker { get; }

    /// <param name="options">The run's choices.</param>
    /// <param name="expertAssemblies">Assemblies holding <see cref="IExpertModule"/>s (default: the built-in ones beside the host).</param>
    /// <param name="extraExperts">Experts from other sources (plugin folders, MCP servers).</param>
    /// <param name="expertFactory">Experts that need the host's image store or services, created once those exist.</param>
    public static AgentHost Create(
        AgentHostOptions options,
        IReadOnlyList<Assembly>? expertAssemblies = null,
        IEnumerable<ExpertEntry>? extraExperts = null,
        Func<AgentHost, IEnumerable<ExpertEntry>>? expertFactory = null) =>
        new(options, expertAssemblies ?? BuiltInExperts.Discover(), extraExperts, expertFactory);

    public ExpertContext CreateContext(ExpertManifest manifest)
    {
        var settings = new Dictionary<string, string>(manifest.Settings);
        if (Config.Experts.TryGetValue(manifest.Name, out var configured))
        {
            foreach (var (key, value) in configured.Settings) settings[key] = value;
        }
        return new ExpertContext
        {
            Manifest = manifest,
            Images = Images,
            Models = Models,
            Settings = settings,
            Services = Services,
            Progress = Options.Progress,
        };
    }

    /// <summary>The configured LLM, or null when none is configured (the offline planner then serves).</summary>
    public (IChatCompletionService Service, LlmIdentity Identity)? CreateConfiguredLlm()
    {
        if (!ConfigLoader.HasLlm(Config)) return null;
        var (service, identity, owner) = ChatServiceFactory.CreateOpenAi(Config.Llm);
        _owned.Add(owner);
        return (service, identity);
    }

    public AgentSession CreateSession(IChatCompletionService chat, LlmIdentity identity, PromptLibrary? prompts = null) =>
        new(chat, Invoker, Images, prompts ?? PromptLibrary.Default, new AgentOptions
        {
            MaxSteps = Config.Agent.MaxSteps,
            Timeout = TimeSpan.FromSeconds(Config.Agent.TimeoutSeconds),
            Mode = Config.Agent.Mode,
            Vision = Config.Llm.Vision,
            HistoryTurns = Config.Agent.HistoryTurns,
            Temperature = Config.Llm.Temperature,
            MaxTokens = Config.Llm.MaxTokens,
        }, identity);

    public void Dispose()
    {
        for (var i = _owned.Count - 1; i >= 0; i--) _owned[i].Dispose();
        _owned.Clear();
    }

    // Services resolve lazily, after the constructor has set the invoker.
    private ToolInvoker GetInvoker() => Invoker;

    private bool IsEnabled(string expert) => !Config.Experts.TryGetValue(expert, out var c) || c.Enabled;

    private sealed record ModuleInfo(ExpertManifest Manifest, Type? Type, ExpertEntry? Entry);

    private static List<ModuleInfo> DiscoverModules(IReadOnlyList<Assembly> assemblies, Action<string>? warn)
    {
        var modules = new List<ModuleInfo>();
        foreach (var assembly in assemblies)
        {
            Type[] types;
            try
            {
                types = assembly.GetTypes();
            }
            catch (ReflectionTypeLoadException ex)
            {
                types = ex.Types.OfType<Type>().ToArray();
            }
            foreach (var type in types.Where(t => typeof(IExpertModule).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false }))
            {
                try
                {
                    modules.Add(new ModuleInfo(ExpertManifestReader.ReadEmbedded(assembly), type, null));
                }
                catch (VisionAgentException ex)
                {
                    warn?.Invoke($"expert assembly {assembly.GetName().Name} skipped: {ex.Message}");
                }
            }
        }
        return modules;
    }

    private static Dictionary<string, IReadOnlyDictionary<string, string>> MergeOverrides(
        VisionAgentConfig config, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> fromFlags)
    {
        var merged = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (expert, expertConfig) in config.Experts)
        {
            if (expertConfig.Models.Count > 0) merged[expert] = new Dictionary<string, string>(expertConfig.Models, StringComparer.OrdinalIgnoreCase);
        }
        foreach (var (expert, models) in fromFlags)
        {
            var combined = merged.TryGetValue(expert, out var existing)
                ? new Dictionary<string, string>(existing, StringComparer.OrdinalIgnoreCase)
                : new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (name, path) in models) combined[name] = Path.GetFullPath(path);
            merged[expert] = combined;
        }
        return merged;
    }
}
