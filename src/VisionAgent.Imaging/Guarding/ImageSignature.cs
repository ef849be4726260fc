using System.Buffers.Binary;

namespace VisionAgent.Imaging;

/// <summary>
/// Recognises the supported formats by their magic bytes, so that a file with an image extension but other
/// content (text, archives, TIFF, random bytes) is refused before any decoder sees it.
/// </summary>
public static class ImageSignature
{
    /// <summary>How many leading bytes <see cref="Sniff"/> needs.</summary>
    public const int Length = 32;

    /// <summary>PNG, JPEG, GIF, BMP or WEBP; null when the bytes start no supported format.</summary>
    public static string? Sniff(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])) return "PNG";
        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])) return "JPEG";
        if (head.StartsWith("GIF87a"u8) || head.StartsWith("GIF89a"u8)) return "GIF";
        if (head.Length >= 26 && head.StartsWith("BM"u8)) return "BMP";
        if (head.Length >= 16 && head.StartsWith("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8)) return "WEBP";
        return null;
    }

    /// <summary>True for a WebP whose extended header sets the animation flag.</summary>
    public static bool IsAnimatedWebp(ReadOnlySpan<byte> head) =>
        head.Length >= 21 && head[12..16].SequenceEqual("VP8X"u8) && (head[20] & 0x02) != 0;

    /// <summary>The RIFF payload size a WebP declares.</summary>
    public static long RiffSize(ReadOnlySpan<byte> head) => BinaryPrimitives.ReadUInt32LittleEndian(head[4..8]);
}
