using VisionAgent.Abstractions;

namespace ImageHashExpert;

/// <summary>What the host looks for: one public IExpertModule with a parameterless constructor.</summary>
public sealed class ImageHashExpertModule : IExpertModule
{
    public object CreatePlugin(ExpertContext context) => new ImageHashExpertPlugin(context.Images);
}
