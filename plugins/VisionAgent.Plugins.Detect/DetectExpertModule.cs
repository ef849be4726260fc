using VisionAgent.Abstractions;

namespace VisionAgent.Plugins.Detect;

/// <summary>
/// The detect expert: YOLO-family object detection with references, counts and an annotated image. It also runs
/// manifest-only plugin folders of <c>kind: yolo</c> (a user's own YOLO export with its settings).
/// </summary>
public sealed class DetectExpertModule : IExpertModule, IExpertKindProvider
{
    public const string YoloKind = "yolo";

    public IReadOnlyCollection<string> ManifestKinds { get; } = [YoloKind];

    public object CreatePlugin(ExpertContext context) => new DetectPlugin(context);
}
