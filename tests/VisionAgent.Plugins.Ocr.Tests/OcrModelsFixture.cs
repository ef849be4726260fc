using VisionAgent.Abstractions;
using VisionAgent.ModelStore;
using VisionAgent.Onnx;

namespace VisionAgent.Plugins.Ocr.Tests;

/// <summary>
/// The real PP-OCRv4 files, fetched through the model cache on first use (so a clean machine downloads them
/// once), and one pipeline over them shared by the end-to-end tests.
/// </summary>
public sealed class OcrModelsFixture : IDisposable
{
    public OcrModelsFixture()
    {
        Manifest = ExpertManifestReader.ReadEmbedded(typeof(OcrExpertModule).Assembly);
        Cache = new ModelCache(new ModelCacheOptions { Manifests = [Manifest] });
        var fetched = Cache.FetchAsync(Manifest.Name, null, CancellationToken.None).GetAwaiter().GetResult();
        Paths = new OcrModelPaths(Path("det"), Path("cls"), Path("rec"), Path("keys"));
        Pipeline = OcrPipeline.Create(Sessions, Paths, new OcrOptions());

        string Path(string name) => fetched.Single(f => f.Name == name).Path;
    }

    public ExpertManifest Manifest { get; }

    public ModelCache Cache { get; }

    public OnnxSessionPool Sessions { get; } = new();

    public OcrModelPaths Paths { get; }

    public OcrPipeline Pipeline { get; }

    public void Dispose() => Sessions.Dispose();
}

[CollectionDefinition(Name)]
public sealed class OcrModelsCollection : ICollectionFixture<OcrModelsFixture>
{
    public const string Name = "real OCR models";
}
