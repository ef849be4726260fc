using VisionAgent.ExternalExperts.Scaffold;
using VisionAgent.Testing;

namespace VisionAgent.ExternalExperts.Tests;

public sealed class CodePluginTests : IDisposable
{
    private readonly PluginTestFiles _files = new();

    [Fact]
    public void Sample_plugin_is_the_scaffold_for_image_hash()
    {
        var sample = Path.Combine(RepositoryPaths.Samples, "plugins", "image_hash");
        var folder = Path.Combine(_files.Root, "scaffold");

        // The sample sits three folders below the repository, whose artifacts/packages the feed names.
        PluginScaffold.Write("image_hash", folder, PluginScaffold.SeamPackageVersion, "../../../artifacts/packages");

        var written = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(folder, f)).Order(StringComparer.Ordinal).ToList();
        var shipped = Directory.EnumerateFiles(sample, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(sample, f))
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj")).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(written, shipped);
        foreach (var relative in written)
            Assert.Equal(File.ReadAllText(Path.Combine(folder, relative)), File.ReadAllText(Path.Combine(sample, relative)));
        Assert.Equal(Path.Combine(RepositoryPaths.Root, "artifacts", "packages"), PluginScaffold.FindLocalFeed());
    }

    [Theory]
    [InlineData("MyExpert", "my_expert")]
    [InlineData("OCRReader", "ocr_reader")]
    [InlineData("image-hash", "image_hash")]
    [InlineData("Image Hash", "image_hash")]
    [InlineData("yolo11Detector", "yolo11_detector")]
    [InlineData("IMAGE_HASH", "image_hash")]
    [InlineData("2fast", null)]
    [InlineData("äöü", null)]
    [InlineData("image_hash", null)]
    public void A_name_that_is_not_snake_case_gets_the_nearest_one_suggested(string name, string? expected) =>
        Assert.Equal(expected, PluginScaffold.SuggestName(name));

    [Fact]
    public void A_bad_name_is_refused_with_the_suggestion_and_nothing_is_written()
    {
        var folder = Path.Combine(_files.Root, "MyExpert");

        var error = Assert.Throws<VisionAgent.Abstractions.BadInputException>(() => PluginScaffold.Write("MyExpert", folder, "0.9.0", null));

        Assert.Contains("did you mean my_expert?", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void A_built_in_name_is_refused()
    {
        var error = Assert.Throws<VisionAgent.Abstractions.BadInputException>(() =>
            PluginScaffold.Write("ocr", Path.Combine(_files.Root, "ocr"), "0.9.0", null, new HashSet<string> { "ocr", "image_info" }));

        Assert.Contains("plugin name 'ocr' is taken by a built-in expert (image_info, ocr)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Project_names_do_not_double_the_expert_suffix() =>
        Assert.Equal(["ImageHashExpert", "MyExpert"], new[] { "image_hash", "my_expert" }.Select(PluginScaffold.ProjectName));

    [Fact]
    public void Without_a_feed_no_nuget_config_is_written_and_the_feed_path_is_escaped_when_there_is_one()
    {
        var plain = Path.Combine(_files.Root, "plain");
        var withFeed = Path.Combine(_files.Root, "feed");

        PluginScaffold.Write("image_hash", plain, "1.2.3", null);
        PluginScaffold.Write("image_hash", withFeed, "1.2.3", "/tmp/a & b <feed>");

        Assert.False(File.Exists(Path.Combine(plain, "nuget.config")));
        Assert.Contains("""<PackageReference Include="VisionAgent.Abstractions" Version="1.2.3" ExcludeAssets="runtime" />""", File.ReadAllText(Path.Combine(plain, "ImageHashExpert.csproj")), StringComparison.Ordinal);
        Assert.Contains("""value="/tmp/a &amp; b &lt;feed&gt;" """.TrimEnd(), File.ReadAllText(Path.Combine(withFeed, "nuget.config")), StringComparison.Ordinal);
    }

    [Fact]
    public void A_folder_that_is_not_empty_is_refused_and_left_as_it_was()
    {
        var folder = Path.Combine(_files.Root, "taken");
        var existing = _files.Write(Path.Combine("taken", "expert.yaml"), "mine");

        Assert.Throws<VisionAgent.Abstractions.BadInputException>(() => PluginScaffold.Write("image_hash", folder, "0.9.0", null));

        Assert.Equal("mine", File.ReadAllText(existing));
        Assert.Single(Directory.EnumerateFileSystemEntries(folder));
    }

    public void Dispose() => _files.Dispose();
}
