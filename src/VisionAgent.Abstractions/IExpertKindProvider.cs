namespace VisionAgent.Abstractions;

/// <summary>
/// Implemented beside <see cref="IExpertModule"/> by a built-in expert whose code also runs manifest-only plugin
/// folders (an <c>expert.yaml</c> and model files, no code): the detect expert serves <c>kind: yolo</c>. The folder's
/// manifest, settings and model files reach the module through its <see cref="ExpertContext"/>, so the host that
/// loads plugin folders needs no reference to the expert.
/// </summary>
public interface IExpertKindProvider
{
    /// <summary>The <c>kind:</c> values of <c>expert.yaml</c> this module serves (lower-case).</summary>
    IReadOnlyCollection<string> ManifestKinds { get; }
}
