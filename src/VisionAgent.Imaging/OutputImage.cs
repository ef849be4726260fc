using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using VisionAgent.Abstractions;

namespace VisionAgent.Imaging;

/// <summary>Every image an expert writes goes through <see cref="OutputFile.Write"/>: never over an earlier file, never through a link.</summary>
public static class OutputImage
{
    public static void Save(Image image, string path, IImageEncoder encoder)
    {
        ArgumentNullException.ThrowIfNull(image);
        OutputFile.Write(path, stream => image.Save(stream, encoder));
    }
}
