using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;

namespace VisionAgent.Imaging.Tests;

/// <summary>
/// Small files that cost a decoder far more than their size: metadata that inflates to gigabytes, thousands of
/// scans or segments, chunks cut short. Generated here so the repository holds no large files.
/// </summary>
public static class HostileContainerFiles
{
    /// <summary>A zlib stream of <paramref name="bytes"/> zeros (about 1 KiB per MiB).</summary>
    public static byte[] DeflatedZeros(long bytes)
    {
        var zeros = new byte[1024 * 1024];
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            for (var left = bytes; left > 0; left -= zeros.Length)
                zlib.Write(zeros, 0, (int)Math.Min(left, zeros.Length));
        }
        return compressed.ToArray();
    }

    /// <summary>A valid PNG with compressed metadata chunks inserted after IHDR, each inflating to <paramref name="inflatedBytes"/>.</summary>
    public static byte[] PngWithCompressedMetadata(string chunkType, int chunkCount, long inflatedBytes)
    {
        var png = HostileImageCorpus.ValidPng(32, 24);
        var payload = MetadataPayload(chunkType, DeflatedZeros(inflatedBytes));
        using var stream = new MemoryStream();
        stream.Write(png.AsSpan(0, 8 + 25));
        for (var i = 0; i < chunkCount; i++) HostileImageCorpus.WriteChunk(stream, chunkType, payload);
        stream.Write(png.AsSpan(8 + 25));
        return stream.ToArray();
    }

    private static byte[] MetadataPayload(string chunkType, byte[] deflated) => chunkType switch
    {
        "zTXt" => [.. "Comment"u8, 0, 0, .. deflated],
        "iTXt" => [.. "Comment"u8, 0, 1, 0, .. "en"u8, 0, 0, .. deflated],
        "iCCP" => [.. "icc"u8, 0, 0, .. deflated],
        _ => throw new ArgumentOutOfRangeException(nameof(chunkType)),
    };

    /// <summary>A baseline JPEG whose one scan is repeated <paramref name="scans"/> times, each a full pass over the image.</summary>
    public static byte[] JpegWithRepeatedScans(int width, int height, int scans)
    {
        var jpeg = HostileImageCorpus.ValidJpeg(width, height);
        var sos = FindMarker(jpeg, 0xDA);
        var eoi = jpeg.Length - 2;
        using var stream = new MemoryStream();
        stream.Write(jpeg.AsSpan(0, sos));
        for (var i = 0; i < scans; i++) stream.Write(jpeg.AsSpan(sos, eoi - sos));
        stream.Write(jpeg.AsSpan(eoi));
        return stream.ToArray();
    }

    /// <summary>A valid JPEG with <paramref name="count"/> APPn segments of <paramref name="segmentBytes"/> each before its frame.</summary>
    public static byte[] JpegWithSegments(byte marker, int count, int segmentBytes, ReadOnlySpan<byte> identifier)
    {
        var jpeg = HostileImageCorpus.ValidJpeg(48, 32);
        var segment = new byte[4 + segmentBytes];
        segment[0] = 0xFF;
        segment[1] = marker;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), (ushort)(segmentBytes + 2));
        identifier.CopyTo(segment.AsSpan(4));
        using var stream = new MemoryStream();
        stream.Write(jpeg.AsSpan(0, 2));
        for (var i = 0; i < count; i++)
        {
            // The ICC sequence number and count, as repeated profiles carry them.
            if (identifier.Length >= 14) segment[4 + 12] = (byte)(i % 255 + 1);
            stream.Write(segment);
        }
        stream.Write(jpeg.AsSpan(2));
        return stream.ToArray();
    }

    public static ReadOnlySpan<byte> IccIdentifier => "ICC_PROFILE\0\u0001\u00ff"u8;

    /// <summary>A JPEG whose stored pixels are <paramref name="width"/>x<paramref name="height"/> with an EXIF orientation tag; the left half red.</summary>
    public static byte[] OrientedJpeg(int width, int height, ushort orientation)
    {
        using var image = new Image<Rgb24>(width, height, new Rgb24(0, 0, 255));
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
                rows.GetRowSpan(y)[..(width / 2)].Fill(new Rgb24(255, 0, 0));
        });
        image.Metadata.ExifProfile = new ExifProfile();
        image.Metadata.ExifProfile.SetValue(ExifTag.Orientation, orientation);
        using var stream = new MemoryStream();
        image.Save(stream, new JpegEncoder { Quality = 95 });
        return stream.ToArray();
    }

    public static byte[] LossyWebp(int width, int height)
    {
        using var image = new Image<Rgb24>(width, height);
        var random = new Random(5);
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                foreach (ref var p in rows.GetRowSpan(y)) p = new Rgb24((byte)random.Next(256), (byte)(y * 4), 90);
            }
        });
        using var stream = new MemoryStream();
        image.Save(stream, new WebpEncoder { FileFormat = WebpFileFormatType.Lossy, Quality = 80 });
        return stream.ToArray();
    }

    /// <summary>The WebP cut to <paramref name="keep"/> bytes, with the RIFF size fixed up so only the chunk walk can tell.</summary>
    public static byte[] TruncatedWebp(byte[] webp, int keep)
    {
        var cut = webp[..keep];
        BinaryPrimitives.WriteUInt32LittleEndian(cut.AsSpan(4), (uint)(keep - 8));
        return cut;
    }

    /// <summary>The WebP cut short with both the RIFF and the VP8 chunk sizes fixed up: the frame's own partition size tells.</summary>
    public static byte[] TruncatedWebpWithConsistentChunk(byte[] webp, int keep)
    {
        var cut = TruncatedWebp(webp, keep);
        var vp8 = IndexOf(cut, "VP8 "u8);
        BinaryPrimitives.WriteUInt32LittleEndian(cut.AsSpan(vp8 + 4), (uint)(keep - vp8 - 8));
        return cut;
    }

    public static int FindMarker(byte[] jpeg, byte marker)
    {
        var at = 2;
        while (at + 4 <= jpeg.Length)
        {
            if (jpeg[at] != 0xFF) throw new InvalidDataException($"no marker at {at}");
            if (jpeg[at + 1] == marker) return at;
            at += 2 + BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(at + 2));
        }
        throw new InvalidDataException($"marker {marker:X2} not found");
    }

    private static int IndexOf(byte[] haystack, ReadOnlySpan<byte> needle)
    {
        var at = haystack.AsSpan().IndexOf(needle);
        return at >= 0 ? at : throw new InvalidDataException($"{Encoding.ASCII.GetString(needle)} not found");
    }
}
