using VisionAgent.Abstractions;

namespace VisionAgent.Plugins.Segment;

/// <summary>The segment expert: salient-object masks (ISNet) and promptable masks (SAM-format models).</summary>
public sealed class SegmentExpertModule : IExpertModule
{
    public object CreatePlugin(ExpertContext context) => new SegmentPlugin(context);
}
