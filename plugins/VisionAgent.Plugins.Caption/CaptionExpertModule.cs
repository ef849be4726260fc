using VisionAgent.Abstractions;

namespace VisionAgent.Plugins.Caption;

/// <summary>The caption expert: one sentence describing an image, from a vision-encoder-decoder export.</summary>
public sealed class CaptionExpertModule : IExpertModule
{
    public object CreatePlugin(ExpertContext context) => new CaptionPlugin(context);
}
