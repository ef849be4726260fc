using VisionAgent.Abstractions;
using VisionAgent.Imaging;

namespace VisionAgent.Testing;

/// <summary>
/// Builds an <see cref="ExpertContext"/> for an expert under test: a temporary image store, model files
/// given by path, an image loader with the given limits (the host's <c>images:</c> settings), and whatever other
/// services the expert asks for.
/// </summary>
public sealed class TestExpertHost : IDisposable
{
    private readonly Dictionary<Type, object> _services = [];

    public TestExpertHost(ImageLimits? limits = null)
    {
        Directory = Path.Combine(Path.GetTempPath(), "visionagent-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        Loader = new ImageLoader(limits);
        Images = new ImageHandleStore(Path.Combine(Directory, "out"), Loader);
        _services[typeof(ImageLoader)] = Loader;
    }

    /// <summary>A scratch folder deleted with the host.</summary>
    public string Directory { get; }

    public ImageHandleStore Images { get; }

    /// <summary>The loader every expert made here reads images with.</summary>
    public ImageLoader Loader { get; }

    public DictionaryModelLocator Models { get; } = new();

    public TestExpertHost AddService<T>(T service) where T : class
    {
        _services[typeof(T)] = service;
        return this;
    }

    public ExpertContext CreateContext(ExpertManifest manifest, IReadOnlyDictionary<string, string>? settings = null)
    {
        var merged = new Dictionary<string, string>(manifest.Settings);
        if (settings is not null)
        {
            foreach (var (key, value) in settings) merged[key] = value;
        }
        return new ExpertContext
        {
            Manifest = manifest,
            Images = Images,
            Models = Models,
            Settings = merged,
            Services = new DictionaryServiceProvider(_services),
        };
    }

    public string PathFor(string fileName) => Path.Combine(Directory, fileName);

    public void Dispose()
    {
        foreach (var service in _services.Values.OfType<IDisposable>()) service.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on some platforms; the temp folder is cleaned by the OS.
        }
    }

    private sealed class DictionaryServiceProvider(Dictionary<Type, object> services) : IServiceProvider
    {
        public object? GetService(Type serviceType) => services.GetValueOrDefault(serviceType);
    }
}

/// <summary>A model locator that maps (expert, model name) to files the test made.</summary>
public sealed class DictionaryModelLocator : IModelLocator
{
    private readonly Dictionary<(string, string), string> _paths = [];

    public DictionaryModelLocator Add(string expert, string modelName, string path)
    {
        _paths[(expert, modelName)] = path;
        return this;
    }

    public bool IsAvailable(string expert, string modelName) => _paths.ContainsKey((expert, modelName));

    public Task<string> GetPathAsync(string expert, string modelName, CancellationToken cancellationToken) =>
        _paths.TryGetValue((expert, modelName), out var path)
            ? Task.FromResult(path)
            : throw new ModelMissingException(expert, modelName, "not given to the test");
}
