using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;

namespace VisionAgent.Imaging.Writing;

/// <summary>The pixel layouts <see cref="PngRowWriter"/> writes, 8 bits a channel.</summary>
public enum PngRowFormat
{
    Grey,
    Rgb,
    Rgba,
}

/// <summary>
/// Writes a PNG one row at a time, so an image of any size is encoded without holding its pixels: rows are filtered
/// (the filter of the five that gives the smallest sum of absolute differences, as libpng does), deflated, and sent
/// out in IDAT chunks as they fill. Call <see cref="Complete"/> after the last row; a writer disposed before that
/// leaves an incomplete file.
/// </summary>
public sealed class PngRowWriter : IDisposable
{
    private const int ChunkBytes = 64 * 1024;
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private readonly Stream _output;
    private readonly ChunkStream _chunks;
    private readonly ZLibStream _deflate;
    private readonly int _bytesPerPixel;
    private byte[] _previous;
    private byte[] _current;
    private readonly byte[] _zeros;
    private byte[] _best;
    private byte[] _trial;
    private int _rowsWritten;
    private bool _completed;

    public PngRowWriter(Stream output, int width, int height, PngRowFormat format, CompressionLevel compression = CompressionLevel.Optimal)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        _output = output;
        Width = width;
        Height = height;
        _bytesPerPixel = format switch { PngRowFormat.Grey => 1, PngRowFormat.Rgb => 3, _ => 4 };
        var rowBytes = checked(width * _bytesPerPixel);
        _previous = new byte[rowBytes];
        _current = new byte[rowBytes];
        _zeros = new byte[rowBytes];
        _best = new byte[rowBytes + 1];
        _trial = new byte[rowBytes + 1];

        output.Write(Signature);
        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = 8;
        header[9] = format switch { PngRowFormat.Grey => 0, PngRowFormat.Rgb => 2, _ => 6 };
        WriteChunk(output, "IHDR"u8, header);
        _chunks = new ChunkStream(output);
        _deflate = new ZLibStream(_chunks, compression, leaveOpen: true);
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Bytes in one row: width times 1 (grey), 3 (RGB) or 4 (RGBA).</summary>
    public int RowBytes => _current.Length;

    /// <summary>Appends the next row (top to bottom), <see cref="RowBytes"/> bytes.</summary>
    public void WriteRow(ReadOnlySpan<byte> row)
    {
        if (row.Length != RowBytes) throw new ArgumentException($"a row has {RowBytes} bytes, not {row.Length}", nameof(row));
        if (_rowsWritten == Height) throw new InvalidOperationException($"all {Height} rows are written");
        row.CopyTo(_current);
        _deflate.Write(BestFiltered());
        (_previous, _current) = (_current, _previous);
        _rowsWritten++;
    }

    /// <summary>Ends the image data and writes the end chunk; every row must have been written.</summary>
    public void Complete()
    {
        if (_rowsWritten != Height) throw new InvalidOperationException($"{_rowsWritten} of {Height} rows were written");
        _deflate.Dispose();
        _chunks.Flush();
        WriteChunk(_output, "IEND"u8, []);
        _output.Flush();
        _completed = true;
    }

    public void Dispose()
    {
        if (!_completed) _deflate.Dispose();
    }

    private ReadOnlySpan<byte> BestFiltered()
    {
        var bestSum = long.MaxValue;
        for (byte filter = 0; filter <= 4; filter++)
        {
            var sum = Filter(filter, _trial);
            if (sum >= bestSum) continue;
            bestSum = sum;
            (_best, _trial) = (_trial, _best);
        }
        return _best;
    }

    /// <summary>Writes the row filtered with <paramref name="filter"/> (type byte first) and returns the sum of absolute differences.</summary>
    private long Filter(byte filter, byte[] target)
    {
        ReadOnlySpan<byte> current = _current;
        // Above the first row every byte counts as zero.
        ReadOnlySpan<byte> previous = _rowsWritten > 0 ? _previous : _zeros;
        var bpp = _bytesPerPixel;
        var output = target.AsSpan(1);
        target[0] = filter;
        switch (filter)
        {
            case 0:
                current.CopyTo(output);
                break;
            case 1:
                current[..bpp].CopyTo(output);
                for (var i = bpp; i < current.Length; i++) output[i] = (byte)(current[i] - current[i - bpp]);
                break;
            case 2:
                for (var i = 0; i < current.Length; i++) output[i] = (byte)(current[i] - previous[i]);
                break;
            case 3:
                for (var i = 0; i < bpp; i++) output[i] = (byte)(current[i] - (previous[i] >> 1));
                for (var i = bpp; i < current.Length; i++) output[i] = (byte)(current[i] - ((current[i - bpp] + previous[i]) >> 1));
                break;
            default:
                for (var i = 0; i < bpp; i++) output[i] = (byte)(current[i] - previous[i]);
                for (var i = bpp; i < current.Length; i++) output[i] = (byte)(current[i] - Paeth(current[i - bpp], previous[i], previous[i - bpp]));
                break;
        }
        long sum = 0;
        foreach (var value in output) sum += value < 128 ? value : 256 - value;
        return sum;
    }

    private static int Paeth(int left, int up, int upLeft)
    {
        var estimate = left + up - upLeft;
        var toLeft = Math.Abs(estimate - left);
        var toUp = Math.Abs(estimate - up);
        var toUpLeft = Math.Abs(estimate - upLeft);
        if (toLeft <= toUp && toLeft <= toUpLeft) return left;
        return toUp <= toUpLeft ? up : upLeft;
    }

    private static void WriteChunk(Stream output, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        output.Write(word);
        output.Write(type);
        output.Write(data);
        var crc = new Crc32();
        crc.Append(type);
        crc.Append(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, crc.GetCurrentHashAsUInt32());
        output.Write(word);
    }

    /// <summary>Collects deflated bytes and writes them out as IDAT chunks of at most <see cref="ChunkBytes"/>.</summary>
    private sealed class ChunkStream(Stream output) : Stream
    {
        private readonly byte[] _buffer = new byte[ChunkBytes];
        private int _filled;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            while (!buffer.IsEmpty)
            {
                var take = Math.Min(buffer.Length, _buffer.Length - _filled);
                buffer[..take].CopyTo(_buffer.AsSpan(_filled));
                _filled += take;
                buffer = buffer[take..];
                if (_filled == _buffer.Length) Flush();
            }
        }

        public override void Flush()
        {
            if (_filled == 0) return;
            WriteChunk(output, "IDAT"u8, _buffer.AsSpan(0, _filled));
            _filled = 0;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
