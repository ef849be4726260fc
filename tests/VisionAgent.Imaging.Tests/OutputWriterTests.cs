using SixLabors.ImageSharp;
using VisionAgent.Abstractions;
using VisionAgent.Imaging.Editing;
using VisionAgent.Imaging.Masks;

namespace VisionAgent.Imaging.Tests;

public sealed class OutputWriterTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("visionagent-writer-").FullName;
    private readonly string _out;
    private readonly string _input;

    public OutputWriterTests()
    {
        _out = Path.Combine(_root, "out");
        Directory.CreateDirectory(_out);
        _input = Path.Combine(_root, "input.png");
        File.WriteAllBytes(_input, HostileImageCorpus.ValidPng(16, 12));
    }

    [Fact]
    public void A_link_planted_under_the_next_name_is_skipped_and_its_target_untouched()
    {
        var victim = Path.Combine(_root, "victim.txt");
        File.WriteAllText(victim, "keep me");
        File.CreateSymbolicLink(Path.Combine(_out, "001-img1-edit.png"), victim);
        File.CreateSymbolicLink(Path.Combine(_out, "002-img1-edit.png"), Path.Combine(_root, "missing.png"));
        var store = StoreWithInput();

        var output = store.NewOutputPath("img1", "edit");
        var edited = ImageEdits.Resize(_input, 8, 6, output, new ImageLoader());

        Assert.Equal(Path.Combine(_out, "003-img1-edit.png"), edited.Path);
        Assert.Equal("keep me", File.ReadAllText(victim));
        Assert.False(File.Exists(Path.Combine(_root, "missing.png")));
        Assert.Equal(8, Image.Identify(edited.Path).Width);
    }

    [Fact]
    public void A_link_swapped_in_for_a_reservation_is_replaced_never_followed()
    {
        var victim = Path.Combine(_root, "victim.txt");
        File.WriteAllText(victim, "keep me");
        var store = StoreWithInput();
        var output = store.NewOutputPath("img1", "edit");
        File.Delete(output);
        File.CreateSymbolicLink(output, victim);

        Assert.Throws<IOException>(() => ImageEdits.Resize(_input, 8, 6, output, new ImageLoader()));

        Assert.Equal("keep me", File.ReadAllText(victim));
        Assert.Empty(Directory.GetFiles(_out, "*.tmp"));
    }

    [Fact]
    public void A_reused_folder_continues_the_numbering()
    {
        File.WriteAllBytes(Path.Combine(_out, "001-img1-edit.png"), HostileImageCorpus.ValidPng(4, 4));
        File.WriteAllBytes(Path.Combine(_out, "007-img2-mask.png"), HostileImageCorpus.ValidPng(4, 4));
        File.WriteAllText(Path.Combine(_out, "notes-12.txt"), "");
        var store = StoreWithInput();

        var first = store.NewOutputPath("img1", "mask");
        var second = store.NewOutputPath("img1", "mask");

        Assert.Equal("008-img1-mask.png", Path.GetFileName(first));
        Assert.Equal("009-img1-mask.png", Path.GetFileName(second));
    }

    [Fact]
    public void Editing_an_earlier_output_in_the_same_folder_never_overwrites_it()
    {
        var earlier = Path.Combine(_out, "001-img1-edit.png");
        File.Copy(_input, earlier);
        var before = File.ReadAllBytes(earlier);
        var store = new ImageHandleStore(_out, new ImageLoader());
        var record = store.AddInput(earlier);

        var edited = ImageEdits.Resize(record.Path, 4, 3, store.NewOutputPath(record.Handle, "edit"), new ImageLoader());

        Assert.NotEqual(earlier, edited.Path);
        Assert.Equal(before, File.ReadAllBytes(earlier));
    }

    [Fact]
    public async Task Four_concurrent_runs_on_one_folder_never_collide()
    {
        const int PerRun = 20;
        var runs = Enumerable.Range(1, 4).Select(run => Task.Run(() =>
        {
            var store = StoreWithInput();
            var written = new List<(string Path, int Width)>();
            for (var i = 0; i < PerRun; i++)
            {
                // Each run writes masks of its own width, so a file holding another run's result shows.
                var mask = new BinaryMask(run, 2 + i, new byte[run * (2 + i)]);
                var path = store.NewOutputPath("img1", "mask");
                MaskFiles.SaveMask(mask, path);
                store.AddProduced(path, "img1", "test", "mask");
                written.Add((path, run));
            }
            return written;
        })).ToArray();

        var all = (await Task.WhenAll(runs)).SelectMany(w => w).ToList();

        Assert.Equal(4 * PerRun, all.Select(w => w.Path).Distinct().Count());
        Assert.All(all, w => Assert.Equal(w.Width, Image.Identify(w.Path).Width));
        Assert.Empty(Directory.GetFiles(_out, "*.tmp"));
    }

    [Fact]
    public void A_reservation_never_written_is_removed_after_the_call()
    {
        var store = StoreWithInput();
        var unused = store.NewOutputPath("img1", "edit");
        var used = store.NewOutputPath("img1", "edit");
        MaskFiles.SaveMask(new BinaryMask(2, 2, new byte[4]), used);
        store.AddProduced(used, "img1", "test", "mask");

        store.ReleaseUnusedReservations();

        Assert.False(File.Exists(unused));
        Assert.True(File.Exists(used));
    }

    [Fact]
    public void The_writer_never_replaces_a_file_with_content()
    {
        var existing = Path.Combine(_out, "result.bin");
        File.WriteAllText(existing, "earlier result");

        Assert.Throws<IOException>(() => OutputFile.Write(existing, stream => stream.WriteByte(1)));

        Assert.Equal("earlier result", File.ReadAllText(existing));
        Assert.Single(Directory.GetFiles(_out));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private ImageHandleStore StoreWithInput()
    {
        var store = new ImageHandleStore(_out, new ImageLoader());
        store.AddInput(_input);
        return store;
    }
}
