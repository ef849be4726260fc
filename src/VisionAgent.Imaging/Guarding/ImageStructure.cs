using System.Buffers.Binary;

namespace VisionAgent.Imaging;

/// <summary>
/// Walks a file's container structure without decoding pixels: every PNG chunk fits the file, critical chunks
/// have valid CRCs and IEND is present; a JPEG ends with its EOI marker; a GIF's blocks up to the end of its
/// first image fit the file; a WebP's RIFF size fits. Decoders tolerate some of these defects and would hand
/// back half-decoded pixels; the agent refuses them instead. Returns a problem description, or null.
/// </summary>
public static class ImageStructure
{
    private const int JpegTailWindow = 64 * 1024;
    private static readonly uint[] CrcTable = BuildCrcTable();

    public static string? Check(Stream stream, string format) => format switch
    {
        "PNG" => CheckPng(stream),
        "JPEG" => CheckJpeg(stream),
        "GIF" => CheckGif(stream),
        "WEBP" => CheckWebp(stream),
        _ => null,
    };

    private static string? CheckPng(Stream stream)
    {
        var length = stream.Length;
        stream.Position = 8;
        Span<byte> head = stackalloc byte[8];
        Span<byte> word = stackalloc byte[4];
        var buffer = new byte[64 * 1024];
        var first = true;
        var sawData = false;
        while (true)
        {
            if (stream.Position + 12 > length) return "truncated PNG (no IEND chunk)";
            stream.ReadExactly(head);
            var dataLength = BinaryPrimitives.ReadUInt32BigEndian(head);
            var type = head[4..8];
            foreach (var c in type)
            {
                if (!char.IsAsciiLetter((char)c)) return "corrupt PNG (bad chunk type)";
            }
            if (dataLength > int.MaxValue || stream.Position + dataLength + 4 > length)
                return "truncated or corrupt PNG (a chunk runs past the end of the file)";
            if (first && (!type.SequenceEqual("IHDR"u8) || dataLength != 13)) return "corrupt PNG (no IHDR chunk first)";
            first = false;
            var critical = char.IsAsciiLetterUpper((char)type[0]);
            if (critical)
            {
                var crc = Update(0xFFFFFFFFu, type);
                var remaining = (int)dataLength;
                while (remaining > 0)
                {
                    var n = stream.Read(buffer, 0, Math.Min(buffer.Length, remaining));
                    if (n == 0) return "truncated PNG";
                    crc = Update(crc, buffer.AsSpan(0, n));
                    remaining -= n;
                }
                stream.ReadExactly(word);
                if ((crc ^ 0xFFFFFFFFu) != BinaryPrimitives.ReadUInt32BigEndian(word))
                    return $"corrupt PNG (CRC error in {System.Text.Encoding.ASCII.GetString(type)})";
            }
            else
            {
                stream.Position += dataLength + 4;
            }
            if (type.SequenceEqual("IDAT"u8)) sawData = true;
            if (type.SequenceEqual("IEND"u8)) return sawData ? null : "corrupt PNG (no image data)";
        }
    }

    private static string? CheckJpeg(Stream stream)
    {
        // Entropy-coded data stuffs every 0xFF with 0x00, so FF D9 there can only be a marker. Look at the tail
        // first; files with a large trailer after the image (motion photos append a video) need the full scan.
        var window = (int)Math.Min(stream.Length, JpegTailWindow);
        var tail = new byte[window];
        stream.Position = stream.Length - window;
        stream.ReadExactly(tail);
        if (tail.AsSpan().IndexOf(EndOfImage) >= 0) return null;
        if (stream.Length <= JpegTailWindow) return "truncated JPEG (no end-of-image marker)";
        stream.Position = 0;
        var buffer = new byte[1024 * 1024];
        var carry = 0;
        while (true)
        {
            var n = stream.Read(buffer, carry, buffer.Length - carry);
            if (n == 0) return "truncated JPEG (no end-of-image marker)";
            if (buffer.AsSpan(0, carry + n).IndexOf(EndOfImage) >= 0) return null;
            buffer[0] = buffer[carry + n - 1];
            carry = 1;
        }
    }

    private static ReadOnlySpan<byte> EndOfImage => [0xFF, 0xD9];

    private static string? CheckGif(Stream stream)
    {
        var length = stream.Length;
        if (length < 13) return "truncated GIF";
        stream.Position = 10;
        var packed = stream.ReadByte();
        stream.Position = 13;
        if ((packed & 0x80) != 0) stream.Position += 3L << ((packed & 0x07) + 1);
        while (true)
        {
            if (stream.Position >= length) return "truncated GIF (no image)";
            var block = stream.ReadByte();
            switch (block)
            {
                case 0x21:
                    if (stream.ReadByte() < 0) return "truncated GIF";
                    if (!SkipSubBlocks(stream)) return "truncated or corrupt GIF (an extension block runs past the end of the file)";
                    break;
                case 0x2C:
                    if (stream.Position + 9 > length) return "truncated GIF";
                    stream.Position += 8;
                    var local = stream.ReadByte();
                    if ((local & 0x80) != 0) stream.Position += 3L << ((local & 0x07) + 1);
                    var codeSize = stream.ReadByte();
                    if (codeSize is < 1 or > 11) return "corrupt GIF (bad LZW code size)";
                    return SkipSubBlocks(stream) ? null : "truncated GIF (the first frame's data runs past the end of the file)";
                case 0x3B:
                    return "GIF has no image";
                default:
                    return "corrupt GIF (unknown block)";
            }
        }
    }

    private static bool SkipSubBlocks(Stream stream)
    {
        while (true)
        {
            var size = stream.ReadByte();
            if (size < 0) return false;
            if (size == 0) return true;
            if (stream.Position + size > stream.Length) return false;
            stream.Position += size;
        }
    }

    private static string? CheckWebp(Stream stream)
    {
        Span<byte> head = stackalloc byte[12];
        stream.Position = 0;
        stream.ReadExactly(head);
        return ImageSignature.RiffSize(head) + 8 > stream.Length ? "truncated WebP" : null;
    }

    private static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (var b in data) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }
}
