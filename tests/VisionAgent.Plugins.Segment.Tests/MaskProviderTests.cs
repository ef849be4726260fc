using VisionAgent.Core.Configuration;
using VisionAgent.ExternalExperts;
using VisionAgent.Hosting;
using VisionAgent.Testing;

namespace VisionAgent.Plugins.Segment.Tests;

public sealed class MaskProviderTests : IDisposable
{
    private readonly TestExpertHost _files = new();

    [Fact]
    public async Task Background_edit_without_a_mask_asks_the_segmenter_for_the_mask_alone()
    {
        var isnet = TinySegmentModels.Isnet(_files.PathFor("isnet.onnx"));
        var image = SegmentTestSupport.HalfRed(_files, "half.png", 80, 40);
        await using var host = await AgentHost.CreateAsync(new AgentHostOptions
        {
            Config = new VisionAgentConfig(),
            Home = _files.PathFor("home"),
            OfflineModels = true,
            External = ExternalExpertSources.None,
            ModelOverrides = new Dictionary<string, IReadOnlyDictionary<string, string>> { ["segment"] = new Dictionary<string, string> { ["isnet"] = isnet } },
        }, CancellationToken.None);
        var input = host.Images.AddInput(image);

        var outcome = await host.Invoker.InvokeAsync("edit.background", new Dictionary<string, string> { ["image"] = input.Handle, ["mode"] = "remove" }, null, CancellationToken.None);

        Assert.False(outcome.Failed, outcome.Observation);
        var made = host.Images.Images.Where(i => i.Parent == input.Handle).Select(i => i.Kind).ToList();
        Assert.Contains("mask", made);
        Assert.DoesNotContain("cutout", made);
        Assert.DoesNotContain("overlay", made);
    }

    public void Dispose() => _files.Dispose();
}
