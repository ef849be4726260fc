using SixLabors.ImageSharp.Formats.Png;

namespace VisionAgent.Imaging.Editing;

/// <summary>
/// The PNG encoding of every edit: 8-bit RGBA. Set explicitly because ImageSharp otherwise reuses the colour type
/// of the decoded source, which would drop the alpha channel that background removal and rotation write.
/// </summary>
internal static class EditPng
{
    public static PngEncoder Encoder { get; } = new()
    {
        ColorType = PngColorType.RgbWithAlpha,
        BitDepth = PngBitDepth.Bit8,
    };
}
