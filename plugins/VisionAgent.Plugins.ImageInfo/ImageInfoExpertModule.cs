using VisionAgent.Abstractions;
using VisionAgent.Imaging;

namespace VisionAgent.Plugins.ImageInfo;

/// <summary>Registers the image_info expert.</summary>
public sealed class ImageInfoExpertModule : IExpertModule
{
    public object CreatePlugin(ExpertContext context) => new ImageInfoPlugin(context.Images, context.GetRequiredService<ImageLoader>());
}
