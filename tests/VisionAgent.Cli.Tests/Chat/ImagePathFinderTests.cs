using VisionAgent.Cli.Chat;

namespace VisionAgent.Cli.Tests.Chat;

public sealed class ImagePathFinderTests
{
    private static readonly HashSet<string> Existing =
    [
        @"C:\Users\Ann\My Pictures (2019)\cat 1.png",
        @"C:\photos\dog.JPG",
        @"\\server\share\scan.jpeg",
        "/home/ann/holiday photos/beach (1).jpg",
        "/tmp/a.png",
        "/tmp/b.webp",
        "samples/images/chelsea.png",
        "/tmp/it's here.png",
    ];

    [Theory]
    [InlineData(@"what is in C:\Users\Ann\My Pictures (2019)\cat 1.png please", @"C:\Users\Ann\My Pictures (2019)\cat 1.png")]
    [InlineData(@"read C:\photos\dog.JPG", @"C:\photos\dog.JPG")]
    [InlineData(@"look at \\server\share\scan.jpeg.", @"\\server\share\scan.jpeg")]
    [InlineData("describe /home/ann/holiday photos/beach (1).jpg", "/home/ann/holiday photos/beach (1).jpg")]
    [InlineData("describe \"/home/ann/holiday photos/beach (1).jpg\" now", "/home/ann/holiday photos/beach (1).jpg")]
    [InlineData("describe '/tmp/a.png'", "/tmp/a.png")]
    [InlineData("(see /tmp/a.png)", "/tmp/a.png")]
    [InlineData("/tmp/a.png how big is it?", "/tmp/a.png")]
    [InlineData("how big is samples/images/chelsea.png?", "samples/images/chelsea.png")]
    [InlineData(@"what about /home/ann/holiday\ photos/beach\ \(1\).jpg", "/home/ann/holiday photos/beach (1).jpg")]
    [InlineData("is \"/tmp/it's here.png\" dark?", "/tmp/it's here.png")]
    public void Finds_an_existing_path_however_it_is_written(string message, string expected)
    {
        var finder = new ImagePathFinder(Existing.Contains);

        var found = finder.Find(message);

        Assert.Equal(expected, Assert.Single(found).Path);
    }

    [Theory]
    [InlineData("what is in /tmp/missing.png?")]
    [InlineData("compare a.png and b.png")]
    [InlineData("what is a png file")]
    [InlineData("how big is this image?")]
    public void Ignores_paths_that_do_not_exist_and_plain_words(string message)
    {
        var finder = new ImagePathFinder(Existing.Contains);

        Assert.Empty(finder.Find(message));
    }

    [Fact]
    public void Finds_several_paths_and_replaces_them_by_handles()
    {
        var finder = new ImagePathFinder(Existing.Contains);
        const string message = "compare /tmp/a.png with /tmp/b.webp";

        var found = finder.Find(message);
        var replaced = ImagePathFinder.Replace(message, [(found[0], "img1"), (found[1], "img2")]);

        Assert.Equal(["/tmp/a.png", "/tmp/b.webp"], found.Select(f => f.Path));
        Assert.Equal("compare img1 with img2", replaced);
    }
}
