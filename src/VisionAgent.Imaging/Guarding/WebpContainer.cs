using System.Buffers.Binary;

namespace VisionAgent.Imaging;

/// <summary>
/// Walks a WebP's RIFF chunks: each must fit the RIFF payload and the file, an image chunk (VP8 or VP8L) must be
/// there, and a lossy frame's first partition must fit its chunk. A decoder given a cut-short chunk hands back
/// half-decoded pixels.
/// </summary>
internal static class WebpContainer
{
    private const int ChunkHeader = 8;

    public static string? Check(Stream stream)
    {
        Span<byte> header = stackalloc byte[ChunkHeader];
        stream.Position = 0;
        stream.ReadExactly(header[..8]);
        var riffEnd = 8 + ImageSignature.RiffSize(header[..8]);
        if (riffEnd > stream.Length) return "truncated WebP";
        var position = 12L;
        var sawImage = false;
        while (position + ChunkHeader <= riffEnd)
        {
            stream.Position = position;
            stream.ReadExactly(header);
            var fourCc = System.Text.Encoding.ASCII.GetString(header[..4]);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
            var dataStart = position + ChunkHeader;
            if (dataStart + size > riffEnd) return $"truncated WebP (the {Printable(fourCc).TrimEnd()} chunk runs past the end of the file)";
            if (fourCc == "VP8 ")
            {
                if (LossyFrameProblem(stream, size) is { } problem) return problem;
                sawImage = true;
            }
            else if (fourCc == "VP8L")
            {
                sawImage = true;
            }
            position = dataStart + size + (size & 1);
        }
        return sawImage ? null : "corrupt WebP (no VP8 or VP8L image chunk)";
    }

    private static string? LossyFrameProblem(Stream stream, uint chunkSize)
    {
        if (chunkSize < 10) return "corrupt WebP (a VP8 chunk too short for its frame header)";
        Span<byte> frame = stackalloc byte[10];
        stream.ReadExactly(frame);
        var tag = frame[0] | (frame[1] << 8) | (frame[2] << 16);
        if ((tag & 1) != 0) return "corrupt WebP (the VP8 frame is not a key frame)";
        if (!frame[3..6].SequenceEqual((ReadOnlySpan<byte>)[0x9D, 0x01, 0x2A])) return "corrupt WebP (bad VP8 start code)";
        var firstPartition = (uint)(tag >> 5) & 0x7FFFF;
        return 10 + firstPartition > chunkSize ? "truncated WebP (the VP8 frame's first partition runs past its chunk)" : null;
    }

    private static string Printable(string fourCc) =>
        new(fourCc.Select(c => char.IsAsciiLetterOrDigit(c) || c == ' ' ? c : '?').ToArray());
}
