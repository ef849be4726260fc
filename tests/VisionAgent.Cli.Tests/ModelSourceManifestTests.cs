using System.Text.RegularExpressions;
using VisionAgent.Abstractions;
using VisionAgent.Testing;

namespace VisionAgent.Cli.Tests;

/// <summary>The built-in manifests' download sources: nothing points at a repository known to be gone, and what is pinned is pinned whole.</summary>
public sealed partial class ModelSourceManifestTests
{
    // Repositories removed by their publishers; a source there can only fail.
    private static readonly string[] GoneRepositories = ["huggingface.co/runwayml/"];

    public static TheoryData<string> Manifests()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "plugins"), "expert.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(RepositoryPaths.Root, path));
        return data;
    }

    [Theory]
    [MemberData(nameof(Manifests))]
    public void Https_sources_are_live_repositories_and_pinned_files_carry_size_and_checksum(string relativePath)
    {
        var text = File.ReadAllText(Path.Combine(RepositoryPaths.Root, relativePath));
        var manifest = ExpertManifestReader.Parse(text, relativePath);

        foreach (var file in manifest.Models)
        {
            foreach (var url in file.Sources.Select(s => s.Url).OfType<string>())
            {
                Assert.StartsWith("https://", url);
                Assert.DoesNotContain(GoneRepositories, gone => url.Contains(gone, StringComparison.OrdinalIgnoreCase));
                if (PinnedRevision().IsMatch(url))
                {
                    Assert.True(file.Size is > 0, $"{manifest.Name}/{file.Name} is pinned to a commit but has no size");
                    Assert.NotNull(file.Sha256);
                }
            }
            // A file with more than one source needs a checksum: it is what makes the sources interchangeable.
            if (file.Sources.Count > 1) Assert.NotNull(file.Sha256);
            // Without a published checksum the manifest must say that no evidence was found.
            if (file.Sources.Any(s => s.Url is not null) && file.Sha256 is null)
                Assert.Contains("no evidence", text, StringComparison.OrdinalIgnoreCase);
        }
    }

    [GeneratedRegex("/resolve/[0-9a-f]{40}/")]
    private static partial Regex PinnedRevision();
}
