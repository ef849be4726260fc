using VisionAgent.Abstractions;

namespace VisionAgent.Plugins.ImageInfo;

/// <summary>Registers the image_info expert.</summary>
public sealed class ImageInfoExpertModule : IExpertModule
{
    public object CreatePlugin(ExpertContext context) => new ImageInfoPlugin(context.Images);
}
