using System.Buffers.Binary;

namespace VisionAgent.Imaging;

/// <summary>What the container check found: a problem, or the parts of the file the decoder may see.</summary>
/// <param name="Problem">Why the file is refused; null when it passes.</param>
/// <param name="DecoderRanges">The byte ranges to hand to the decoder; null for the whole file.</param>
public sealed record ContainerCheck(string? Problem, IReadOnlyList<ByteRange>? DecoderRanges)
{
    public static ContainerCheck Refuse(string problem) => new(problem, null);
}

/// <summary>
/// Walks a file's container structure without decoding pixels, refuses what decoders would half-decode or take
/// unbounded time on, and cuts out the metadata nobody needs to answer a question (so it is never inflated or
/// parsed): PNG keeps its critical chunks plus tRNS, gAMA, pHYs and one small eXIf; JPEG keeps its tables, frames
/// and scans plus JFIF, one Exif and Adobe segments, with the number of scans and segments capped; a WebP's chunks
/// must all fit the file; a GIF's blocks up to the end of its first image must fit the file.
/// </summary>
public static class ImageStructure
{
    /// <summary>Progressive JPEGs use about ten scans; each scan is another pass over every block.</summary>
    public const int MaxJpegScans = 100;

    /// <summary>
    /// Scans times pixels: the decode work a JPEG may ask for. A large image gets fewer scans than
    /// <see cref="MaxJpegScans"/>, never fewer than <see cref="MinJpegScans"/>.
    /// </summary>
    public const long MaxJpegScanPixels = 400_000_000;

    /// <summary>What every JPEG may use whatever its size (libjpeg writes ten for colour, six for greyscale).</summary>
    public const int MinJpegScans = 12;

    /// <summary>The scans a JPEG of <paramref name="pixels"/> pixels may have.</summary>
    public static int AllowedJpegScans(long pixels) =>
        (int)Math.Clamp(MaxJpegScanPixels / Math.Max(1, pixels), MinJpegScans, MaxJpegScans);

    /// <summary>Markers of all kinds in one JPEG (tables, metadata, restart-free scans).</summary>
    public const int MaxJpegSegments = 10_000;

    /// <summary>Chunks in one PNG; encoders write a handful plus one IDAT per 8-64 KiB of pixel data.</summary>
    public const int MaxPngChunks = 1_000_000;

    /// <summary>EXIF is kept (for the orientation) only up to the size one JPEG segment can hold.</summary>
    public const int MaxExifBytes = 64 * 1024;

    private static readonly uint[] CrcTable = BuildCrcTable();

    /// <summary>The problem description, or null when the file passes.</summary>
    public static string? Check(Stream stream, string format) => Inspect(stream, format).Problem;

    public static ContainerCheck Inspect(Stream stream, string format)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return format switch
        {
            "PNG" => CheckPng(stream),
            "JPEG" => JpegContainer.Check(stream),
            "GIF" => new ContainerCheck(CheckGif(stream), null),
            "WEBP" => new ContainerCheck(WebpContainer.Check(stream), null),
            _ => new ContainerCheck(null, null),
        };
    }

    private static ContainerCheck CheckPng(Stream stream)
    {
        var length = stream.Length;
        stream.Position = 8;
        Span<byte> head = stackalloc byte[8];
        Span<byte> word = stackalloc byte[4];
        var buffer = new byte[64 * 1024];
        var kept = new ByteRangeList();
        kept.Add(0, 8);
        var first = true;
        var sawData = false;
        var sawExif = false;
        for (var chunks = 0; ; chunks++)
        {
            if (chunks >= MaxPngChunks) return ContainerCheck.Refuse($"PNG has more than {MaxPngChunks} chunks");
            var start = stream.Position;
            if (start + 12 > length) return ContainerCheck.Refuse("truncated PNG (no IEND chunk)");
            stream.ReadExactly(head);
            var dataLength = BinaryPrimitives.ReadUInt32BigEndian(head);
            var type = head[4..8];
            foreach (var c in type)
            {
                if (!char.IsAsciiLetter((char)c)) return ContainerCheck.Refuse("corrupt PNG (bad chunk type)");
            }
            if (dataLength > int.MaxValue || stream.Position + dataLength + 4 > length)
                return ContainerCheck.Refuse("truncated or corrupt PNG (a chunk runs past the end of the file)");
            if (first && (!type.SequenceEqual("IHDR"u8) || dataLength != 13)) return ContainerCheck.Refuse("corrupt PNG (no IHDR chunk first)");
            first = false;
            var keep = char.IsAsciiLetterUpper((char)type[0]) || KeepsAncillaryPngChunk(type, dataLength, ref sawExif);
            if (keep)
            {
                if (!CrcMatches(stream, type, (int)dataLength, buffer, word))
                    return ContainerCheck.Refuse($"corrupt PNG (CRC error in {System.Text.Encoding.ASCII.GetString(type)})");
                kept.Add(start, stream.Position - start);
            }
            else
            {
                // Text, ICC profiles, animation frames and private chunks: never read, so never inflated.
                stream.Position += dataLength + 4;
            }
            if (type.SequenceEqual("IDAT"u8)) sawData = true;
            if (type.SequenceEqual("IEND"u8))
                return sawData ? new ContainerCheck(null, kept.Ranges) : ContainerCheck.Refuse("corrupt PNG (no image data)");
        }
    }

    private static bool KeepsAncillaryPngChunk(ReadOnlySpan<byte> type, uint dataLength, ref bool sawExif)
    {
        if (type.SequenceEqual("tRNS"u8) || type.SequenceEqual("gAMA"u8) || type.SequenceEqual("pHYs"u8)) return true;
        if (!type.SequenceEqual("eXIf"u8) || sawExif || dataLength > MaxExifBytes) return false;
        sawExif = true;
        return true;
    }

    private static bool CrcMatches(Stream stream, ReadOnlySpan<byte> type, int dataLength, byte[] buffer, Span<byte> word)
    {
        var crc = Update(0xFFFFFFFFu, type);
        var remaining = dataLength;
        while (remaining > 0)
        {
            var n = stream.Read(buffer, 0, Math.Min(buffer.Length, remaining));
            if (n == 0) throw new EndOfStreamException();
            crc = Update(crc, buffer.AsSpan(0, n));
            remaining -= n;
        }
        stream.ReadExactly(word);
        return (crc ^ 0xFFFFFFFFu) == BinaryPrimitives.ReadUInt32BigEndian(word);
    }

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

/// <summary>Byte ranges in file order, with touching ranges joined so a file of many small kept chunks stays one range.</summary>
internal sealed class ByteRangeList
{
    private readonly List<ByteRange> _ranges = [];

    public IReadOnlyList<ByteRange> Ranges => _ranges;

    public void Add(long start, long length)
    {
        if (length <= 0) return;
        if (_ranges.Count > 0 && _ranges[^1].End == start)
            _ranges[^1] = _ranges[^1] with { Length = _ranges[^1].Length + length };
        else
            _ranges.Add(new ByteRange(start, length));
    }
}
