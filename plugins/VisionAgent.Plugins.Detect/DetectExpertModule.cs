using VisionAgent.Abstractions;

namespace VisionAgent.Plugins.Detect;

/// <summary>The detect expert: YOLO-family object detection with references, counts and an annotated image.</summary>
public sealed class DetectExpertModule : IExpertModule
{
    public object CreatePlugin(ExpertContext context) => new DetectPlugin(context);
}
