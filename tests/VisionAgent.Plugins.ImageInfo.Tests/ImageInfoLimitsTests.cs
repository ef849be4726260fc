using VisionAgent.Abstractions;
using VisionAgent.Testing;

namespace VisionAgent.Plugins.ImageInfo.Tests;

/// <summary>image_info reads through the host's loader, so the user's image limits are the ones that apply.</summary>
public sealed class ImageInfoLimitsTests : IDisposable
{
    private readonly ExpertManifest _manifest = ExpertManifestReader.ReadEmbedded(typeof(ImageInfoExpertModule).Assembly);
    private readonly TestExpertHost _host = new(WideStrip.Limits);

    [Fact]
    public async Task A_strip_wider_than_the_default_limit_is_described_when_the_hosts_limits_allow_it()
    {
        var image = _host.Images.AddInput(WideStrip.Write(_host.PathFor("strip.png")));
        var plugin = (ImageInfoPlugin)new ImageInfoExpertModule().CreatePlugin(_host.CreateContext(_manifest));

        var result = await plugin.DescribeAsync(image.Handle);

        Assert.Contains($"{image.Handle}: PNG 20000x60", result.Observation, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_limit_refuses_the_strip_in_the_store_before_any_expert_sees_it()
    {
        using var strict = new TestExpertHost();

        var error = Assert.Throws<BadInputException>(() => strict.Images.AddInput(WideStrip.Write(strict.PathFor("strip.png"))));

        Assert.Contains("16384", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _host.Dispose();
}
