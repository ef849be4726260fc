using VisionAgent.Imaging;
using VisionAgent.Abstractions;

namespace VisionAgent.Imaging.Tests;

public sealed class ImageStoreFileAccessTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("visionagent-store-").FullName;
    private readonly ImageHandleStore _store;
    private readonly string _out;

    public ImageStoreFileAccessTests()
    {
        _out = Path.Combine(_root, "out");
        Directory.CreateDirectory(_out);
        _store = new ImageHandleStore(_out, new ImageLoader());
        var input = Path.Combine(_root, "input.png");
        File.WriteAllBytes(input, HostileImageCorpus.ValidPng(8, 8));
        _store.AddInput(input);
    }

    public static TheoryData<string> OutsidePaths() =>
    [
        "../input.png",
        "../out-evil/x.png",
        "sub/../../input.png",
        "/etc/passwd",
        "/tmp/x.png",
        "",
    ];

    [Theory]
    [MemberData(nameof(OutsidePaths))]
    public void AddProduced_refuses_files_outside_the_output_folder(string relative)
    {
        var path = relative.StartsWith('/') ? relative : Path.Combine(_out, relative);
        if (relative.Contains("out-evil", StringComparison.Ordinal))
        {
            Directory.CreateDirectory(Path.Combine(_root, "out-evil"));
            File.WriteAllBytes(Path.GetFullPath(path), HostileImageCorpus.ValidPng(4, 4));
        }

        var error = Assert.ThrowsAny<VisionAgentException>(() => _store.AddProduced(path, "img1", "test", "mask"));

        Assert.Contains("output folder", error.Message, StringComparison.Ordinal);
        Assert.Single(_store.Images);
    }

    [Fact]
    public void AddProduced_refuses_a_link_in_the_output_folder_that_points_outside()
    {
        var link = Path.Combine(_out, "link.png");
        File.CreateSymbolicLink(link, Path.Combine(_root, "input.png"));

        Assert.ThrowsAny<VisionAgentException>(() => _store.AddProduced(link, "img1", "test", "mask"));
        Assert.Single(_store.Images);
    }

    [Fact]
    public void AddProduced_refuses_a_file_under_a_linked_folder()
    {
        var outside = Path.Combine(_root, "elsewhere");
        Directory.CreateDirectory(outside);
        File.WriteAllBytes(Path.Combine(outside, "x.png"), HostileImageCorpus.ValidPng(4, 4));
        Directory.CreateSymbolicLink(Path.Combine(_out, "linked"), outside);

        Assert.ThrowsAny<VisionAgentException>(() => _store.AddProduced(Path.Combine(_out, "linked", "x.png"), "img1", "test", "mask"));
    }

    [Fact]
    public void AddProduced_accepts_a_file_the_store_named()
    {
        var path = _store.NewOutputPath("img1", "mask");
        File.WriteAllBytes(path, HostileImageCorpus.ValidPng(8, 8));

        var record = _store.AddProduced(path, "img1", "test", "mask");

        Assert.Equal("img2", record.Handle);
        Assert.Equal("img1", record.Parent);
    }

    [Fact]
    public void AddProduced_refuses_an_unknown_parent()
    {
        var path = _store.NewOutputPath("img1", "mask");
        File.WriteAllBytes(path, HostileImageCorpus.ValidPng(8, 8));

        Assert.Throws<UnknownHandleException>(() => _store.AddProduced(path, "img9", "test", "mask"));
    }

    [Fact]
    public void AddProduced_refuses_a_hostile_file_written_under_the_output_folder()
    {
        var path = _store.NewOutputPath("img1", "mask");
        File.WriteAllText(path, "not an image");

        Assert.Throws<BadInputException>(() => _store.AddProduced(path, "img1", "test", "mask"));
    }

    [Theory]
    [InlineData("../../etc", "x")]
    [InlineData("img1", "/../../../tmp/evil")]
    [InlineData("C:\\Windows", "..\\..")]
    public void NewOutputPath_keeps_hostile_names_inside_the_output_folder(string parent, string kind)
    {
        var path = _store.NewOutputPath(parent, kind);

        Assert.Equal(_out, Path.GetDirectoryName(path));
        Assert.DoesNotContain("..", Path.GetFileName(path), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/../../x.png")]
    [InlineData("png")]
    [InlineData(".p/ng")]
    [InlineData("")]
    public void NewOutputPath_refuses_a_hostile_extension(string extension)
    {
        Assert.Throws<ArgumentException>(() => _store.NewOutputPath("img1", "mask", extension));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
