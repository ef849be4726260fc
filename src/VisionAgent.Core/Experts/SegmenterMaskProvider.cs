using VisionAgent.Abstractions;
using VisionAgent.Core.Agent;

namespace VisionAgent.Core.Experts;

/// <summary>
/// Gives experts that need a mask and were given none (the editor's background edits) the salient-object
/// mask of the installed <c>segment</c> expert, through the same invoker the agent uses.
/// </summary>
public sealed class SegmenterMaskProvider(Func<ToolInvoker> invoker) : IMaskProvider
{
    public const string SegmentTool = "segment";

    public async Task<ImageRecord> GetSalientMaskAsync(string imageHandle, CancellationToken cancellationToken)
    {
        var tools = invoker();
        if (tools.Registry.Resolve(SegmentTool) is null)
            throw new BadInputException("no mask was given and the segment expert is not installed: pass mask=HANDLE or box=x1,y1,x2,y2");
        var outcome = await tools.InvokeAsync(SegmentTool, new Dictionary<string, string> { ["image"] = imageHandle, ["backend"] = "isnet", ["outputs"] = "mask" }, null, cancellationToken);
        if (outcome.Failed)
            throw new BadInputException($"no mask was given and the segmenter could not make one: {outcome.Problem ?? outcome.Observation}");
        return outcome.Result?.Images.FirstOrDefault(i => i.Kind == "mask")
            ?? throw new VisionAgentException("the segmenter produced no mask image");
    }
}
