using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel.ChatCompletion;
using VisionAgent.Abstractions;
using VisionAgent.Core.Agent;
using VisionAgent.Core.Configuration;
using VisionAgent.Core.Experts;
using VisionAgent.Core.Llm;
using VisionAgent.Core.Prompts;
using VisionAgent.ExternalExperts;
using VisionAgent.Imaging;
using VisionAgent.ModelStore;
using VisionAgent.Onnx;

namespace VisionAgent.Hosting;

/// <summary>
/// Everything one run of VisionAgent needs, wired once: configuration, image limits and store, ONNX sessions,
/// model cache, experts (built-in, plugin folders, remote, MCP), tool-call interceptors and the LLM. Every command
/// and every evaluation task builds one of these with <see cref="CreateAsync"/> and asks it for sessions.
/// </summary>
public sealed class AgentHost : IAsyncDisposable
{
    private readonly List<IDisposable> _owned = [];
    private ExternalExpertSources? _ownedExternal;
    private ToolInvoker _directInvoker = null!;

    private readonly Task _warmUp;

    private AgentHost(AgentHostOptions options)
    {
        _warmUp = StartupWarmUp.Start();
        Options = options;
        Config = options.Config;
        Home = options.Home ?? DataFolders.Home();
        OutputDirectory = options.OutputDirectory ?? Path.Combine(DataFolders.Sessions(Home), options.SessionId, "images");
        Loader = new ImageLoader(ImageLimitsFrom(Config));
        Images = new ImageHandleStore(OutputDirectory, Loader);
        if (options.SharedOnnx is { } shared)
        {
            Onnx = shared;
        }
        else
        {
            Onnx = CreateOnnxPool(Config, options.Warn, Home);
            _owned.Add(Onnx);
        }
        Marker = new UntrustedTextMarker();
    }

    public AgentHostOptions Options { get; }
    public VisionAgentConfig Config { get; }
    public string Home { get; }
    public string OutputDirectory { get; }
    public ImageLoader Loader { get; }
    public ImageHandleStore Images { get; }
    public OnnxSessionPool Onnx { get; }
    public ModelCache Models { get; private set; } = null!;
    public UntrustedTextMarker Marker { get; }
    public IServiceProvider Services { get; private set; } = null!;
    public ExpertRegistry Registry { get; private set; } = null!;
    public ToolInvoker Invoker { get; private set; } = null!;

    /// <summary>The plugin folders and MCP servers this host's outside experts came from.</summary>
    public ExternalExpertSources External { get; private set; } = ExternalExpertSources.None;

    /// <summary>Builds a host; plugin folders are scanned and MCP servers started here unless <see cref="AgentHostOptions.External"/> shares them.</summary>
    public static async Task<AgentHost> CreateAsync(AgentHostOptions options, CancellationToken cancellationToken)
    {
        var host = new AgentHost(options);
        try
        {
            await host.WireExpertsAsync(cancellationToken).ConfigureAwait(false);
            return host;
        }
        catch
        {
            await host.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The ONNX session pool a configuration asks for (device, GPU id, threads), saving optimised graphs under the
    /// model cache unless <c>onnx.cache_optimized</c> is false.
    /// </summary>
    public static OnnxSessionPool CreateOnnxPool(VisionAgentConfig config, Action<string>? warn, string? home = null) =>
        new(new OnnxOptions
        {
            Device = config.Onnx.Device,
            GpuId = config.Onnx.Gpu,
            Threads = config.Onnx.Threads,
            OptimizedModelCache = config.Onnx.CacheOptimized ? Path.Combine(DataFolders.Models(config, home ?? DataFolders.Home()), "onnx-optimized") : null,
        }, warn);

    /// <summary>The image limits of a configuration's <c>images:</c> section; what it leaves out keeps <see cref="ImageLimits.Default"/>.</summary>
    public static ImageLimits ImageLimitsFrom(VisionAgentConfig config)
    {
        var images = config.Images;
        var defaults = ImageLimits.Default;
        return defaults with
        {
            MaxWidth = images.MaxWidth ?? defaults.MaxWidth,
            MaxHeight = images.MaxHeight ?? defaults.MaxHeight,
            MaxPixels = images.MaxMegapixels is { } megapixels ? (long)(megapixels * 1_000_000) : defaults.MaxPixels,
            AllocationLimitMegabytes = images.MemoryLimitMegabytes ?? defaults.AllocationLimitMegabytes,
        };
    }

    /// <summary>
    /// Plugin folders and MCP servers for a configuration, to share among several hosts (an evaluation's tasks)
    /// through <see cref="AgentHostOptions.External"/>; the caller disposes them after the hosts.
    /// </summary>
    public static async Task<ExternalExpertSources> DiscoverExternalExpertsAsync(
        VisionAgentConfig config, bool startMcpServers, IReadOnlyList<Assembly>? expertAssemblies, CancellationToken cancellationToken)
    {
        var modules = DiscoverModules(expertAssemblies ?? BuiltInExperts.Discover(), warn: null);
        return await ExternalExpertSources.DiscoverAsync(config, BuiltInNames(modules), startMcpServers, cancellationToken).ConfigureAwait(false);
    }

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

    /// <summary>The configured LLM, or the offline planner when none is configured (<c>--llm offline</c> clears it).</summary>
    public (IChatCompletionService Service, LlmIdentity Identity) CreateLlm(Action<string>? warn)
    {
        if (CreateConfiguredLlm() is { } configured) return configured;
        var planner = OfflinePlannerFactory.Create(this, warn);
        if (Config.Agent.ParsedMode == AgentMode.Tools)
        {
            // The offline planner speaks the ReAct text protocol only.
            warn?.Invoke("the offline planner uses the react mode; --mode tools needs an LLM");
            Config.Agent.Mode = AgentConfig.ReactMode;
        }
        return (planner, planner.Identity);
    }

    /// <summary>The agent's limits and LLM settings from the configuration.</summary>
    public AgentOptions CreateAgentOptions() => new()
    {
        MaxSteps = Config.Agent.MaxSteps,
        Timeout = TimeSpan.FromSeconds(Config.Agent.TimeoutSeconds),
        Mode = Config.Agent.ParsedMode,
        Vision = Config.Llm.Vision,
        HistoryTurns = Config.Agent.HistoryTurns,
        Temperature = Config.Llm.Temperature,
        MaxTokens = Config.Llm.MaxTokens,
        StreamRetries = Config.Llm.MaxRetries,
    };

    public AgentSession CreateSession(IChatCompletionService chat, LlmIdentity identity, PromptLibrary? prompts = null, AgentOptions? agentOptions = null) =>
        new(chat, Invoker, Images, prompts ?? PromptLibrary.Default, agentOptions ?? CreateAgentOptions(), identity);

    public async ValueTask DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--) _owned[i].Dispose();
        _owned.Clear();
        if (_ownedExternal is { } external)
        {
            _ownedExternal = null;
            await external.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task WireExpertsAsync(CancellationToken cancellationToken)
    {
        var modules = DiscoverModules(Options.ExpertAssemblies ?? BuiltInExperts.Discover(), Options.Warn);
        var external = Options.External;
        if (external is null)
        {
            _ownedExternal = await ExternalExpertSources.DiscoverAsync(Config, BuiltInNames(modules), Options.StartMcpServers, cancellationToken).ConfigureAwait(false);
            external = _ownedExternal;
            foreach (var problem in external.Plugins.FolderProblems) Options.Warn?.Invoke($"plugin folder skipped: {problem.Message}");
        }
        External = external;

        Models = new ModelCache(new ModelCacheOptions
        {
            CacheDirectory = DataFolders.Models(Config, Home),
            Offline = Options.OfflineModels,
            Overrides = MergeOverrides(Config, external.ModelOverrides(Options.ModelOverrides)),
            Manifests = modules.Select(m => m.Manifest).ToList(),
            Progress = Options.Progress,
        });

        var services = new ServiceCollection()
            .AddSingleton(Onnx)
            .AddSingleton(Loader)
            .AddSingleton(Marker)
            .AddSingleton<IImageStore>(Images)
            .AddSingleton<IModelLocator>(Models)
            .AddSingleton(Config)
            .AddSingleton<IMaskProvider>(_ => new SegmenterMaskProvider(GetDirectInvoker));
        var provider = services.BuildServiceProvider();
        _owned.Add(provider);
        Services = provider;

        var kinds = new ExpertKinds();
        foreach (var module in modules.Where(m => typeof(IExpertKindProvider).IsAssignableFrom(m.Type)))
            kinds.Register((IExpertModule)Activator.CreateInstance(module.Type)!);

        await _warmUp.ConfigureAwait(false);
        var entries = modules.Select(m => ExpertRegistry.CreateEntry(m.Type, m.Type.Assembly, CreateContext, "built-in", m.Manifest)).ToList();
        entries.AddRange(Options.ExtraExperts);
        if (Options.ExpertFactory is not null) entries.AddRange(Options.ExpertFactory(this));
        entries.AddRange(external.CreateEntries(CreateContext, Images, kinds));
        Registry = new ExpertRegistry(entries.Where(e => IsEnabled(e.Manifest.Name)), Models);
        foreach (var broken in Registry.Experts.Where(e => e.LoadError is not null))
            Options.Warn?.Invoke($"expert '{broken.Manifest.Name}' skipped: {broken.LoadError}");
        _directInvoker = new ToolInvoker(Registry, Images, Marker);
        Invoker = Options.Interceptor?.Invoke(this) is { } interceptor ? new ToolInvoker(Registry, Images, Marker, interceptor) : _directInvoker;
    }

    // Services resolve lazily, after the experts are wired. An expert's own call to another expert (the editor asking
    // for a mask) is part of its result, so it bypasses the interceptor that records or replays the agent's calls.
    private ToolInvoker GetDirectInvoker() => _directInvoker;

    private bool IsEnabled(string expert) => !Config.Experts.TryGetValue(expert, out var c) || c.Enabled;

    private sealed record ModuleInfo(ExpertManifest Manifest, Type Type);

    private static HashSet<string> BuiltInNames(IEnumerable<ModuleInfo> modules) =>
        modules.Select(m => m.Manifest.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);

    private static List<ModuleInfo> DiscoverModules(IReadOnlyList<Assembly> assemblies, Action<string>? warn)
    {
        var modules = new List<ModuleInfo>();
        foreach (var assembly in assemblies)
        {
            // Public types only: every type of an expert assembly, closures and state machines included, cost 7 ms
            // of every start to load.
            foreach (var type in assembly.GetExportedTypes().Where(t => typeof(IExpertModule).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false }))
            {
                try
                {
                    modules.Add(new ModuleInfo(ExpertManifestReader.ReadEmbedded(assembly), type));
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
