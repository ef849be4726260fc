using VisionAgent.Core.Agent;

namespace VisionAgent.Core.Tests;

public sealed class ToolInvokerFileAccessTests : IDisposable
{
    private readonly AgentHarness _harness = new();

    public static TheoryData<string> HostileInputs() =>
    [
        "/etc/passwd",
        "/tmp/x.png",
        "  /etc/shadow  ",
        "\"/etc/passwd\"",
        "'/root/.ssh/id_rsa'",
        "`/etc/hosts`",
        "~",
        "~/photo.png",
        "~root/.bashrc",
        "..",
        "../secret.png",
        "..\\secret.png",
        "img1/../../etc/passwd",
        "img1\\..\\..\\boot.ini",
        "a/b/../../../c",
        "%2e%2e%2fetc%2fpasswd",
        "%2Fetc%2Fpasswd",
        "file:///etc/passwd",
        "file:/etc/passwd",
        "FILE://C:/Windows/win.ini",
        "http://169.254.169.254/latest/meta-data",
        "https://example.invalid/cat.png",
        "ftp://host/x.jpg",
        "smb://server/share/x.png",
        "data:image/png;base64,iVBORw0KGgo=",
        "DATA:text/plain,hello",
        "javascript:alert(1)",
        "see http://evil.invalid/x for details",
        "C:\\Windows\\win.ini",
        "C:/Users/me/cat.png",
        "c:cat.png",
        "D:",
        "\\\\server\\share\\cat.png",
        "//server/share/cat.png",
        "\\\\?\\C:\\secret.png",
        "\\\\.\\PhysicalDrive0",
        "$HOME/.config/x",
        "${HOME}/x",
        "%USERPROFILE%\\Desktop\\x.png",
        "cat.png",
        "photos/cat.jpg",
        "samples/images/chelsea.png",
        "models/det.onnx",
        "img1\0/etc/passwd",
        "<file:///etc/passwd>",
    ];

    public static TheoryData<string> HarmlessInputs() =>
    [
        "img1",
        "IMG1",
        "img1#det2",
        "a cat",
        "red/green",
        "note: keep the edges",
        "x: 10",
        "0.5",
        "10,20,30,40",
        "[1, 2, 3]",
        "the person on the left",
        "replace the sky with a sunset, 50% darker",
    ];

    [Theory]
    [MemberData(nameof(HostileInputs))]
    public async Task Path_or_url_as_image_is_refused_before_any_expert_runs(string input)
    {
        var outcome = await _harness.Host.Invoker.InvokeAsync("edit.remove", new Dictionary<string, string> { ["image"] = input }, null, CancellationToken.None);

        Assert.True(outcome.Failed);
        Assert.Contains("looks like a file path or URL", outcome.Observation, StringComparison.Ordinal);
        Assert.Contains("img1", outcome.Observation, StringComparison.Ordinal);
        Assert.Empty(_harness.ExpertCalls);
    }

    [Theory]
    [MemberData(nameof(HostileInputs))]
    public async Task Path_or_url_in_any_argument_or_positionally_is_refused(string input)
    {
        var named = await _harness.Host.Invoker.InvokeAsync("edit.background", new Dictionary<string, string> { ["image"] = "img1", ["prompt"] = input }, null, CancellationToken.None);
        var positional = await _harness.Host.Invoker.InvokeAsync("image_info", new Dictionary<string, string>(), input, CancellationToken.None);

        Assert.True(named.Failed);
        Assert.True(positional.Failed);
        Assert.Contains("looks like a file path or URL", positional.Observation, StringComparison.Ordinal);
        Assert.Empty(_harness.ExpertCalls);
    }

    [Theory]
    [MemberData(nameof(HarmlessInputs))]
    public void Handles_and_free_text_are_not_taken_for_paths(string input)
    {
        Assert.False(ToolInvoker.LooksLikePathOrUrl(input));
    }

    [Fact]
    public async Task Free_text_argument_reaches_the_expert()
    {
        var outcome = await _harness.Host.Invoker.InvokeAsync("edit.background", new Dictionary<string, string> { ["image"] = "img1", ["prompt"] = "red/green stripes" }, null, CancellationToken.None);

        Assert.False(outcome.Failed, outcome.Observation);
        Assert.Equal(["edit.background(img1,red/green stripes)"], _harness.ExpertCalls);
    }

    [Theory]
    [InlineData("img7")]
    [InlineData("chelsea")]
    [InlineData("img1; rm -rf /")]
    public async Task Unknown_handle_is_an_observation_listing_the_valid_handles(string input)
    {
        var outcome = await _harness.Host.Invoker.InvokeAsync("image_info", new Dictionary<string, string> { ["image"] = input }, null, CancellationToken.None);

        Assert.True(outcome.Failed);
        Assert.Contains("img1", outcome.Observation, StringComparison.Ordinal);
        Assert.Equal(3, outcome.ExitCode);
    }

    [Fact]
    public async Task Produced_images_land_only_in_the_output_folder()
    {
        var outcome = await _harness.Host.Invoker.InvokeAsync("edit.remove", new Dictionary<string, string> { ["image"] = "img1", ["target"] = "the cat" }, null, CancellationToken.None);

        var produced = Assert.Single(outcome.Result!.Images);
        Assert.StartsWith(_harness.Host.OutputDirectory + Path.DirectorySeparatorChar, produced.Path, StringComparison.Ordinal);
        Assert.Equal("img2", produced.Handle);
    }

    public void Dispose() => _harness.Dispose();
}
