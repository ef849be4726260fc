namespace VisionAgent.Imaging;

/// <summary>A span of a file: where it starts and how many bytes it holds.</summary>
public readonly record struct ByteRange(long Start, long Length)
{
    public long End => Start + Length;
}

/// <summary>
/// A read-only, seekable view that joins chosen ranges of an underlying stream, so the decoder sees a file with the
/// unwanted parts (metadata chunks nobody needs to answer a question) cut out. The underlying stream stays open.
/// </summary>
internal sealed class ByteRangeStream : Stream
{
    private readonly Stream _inner;
    private readonly ByteRange[] _ranges;
    private readonly long[] _offsets;
    private long _position;

    public ByteRangeStream(Stream inner, IReadOnlyList<ByteRange> ranges)
    {
        _inner = inner;
        _ranges = [.. ranges];
        _offsets = new long[_ranges.Length];
        long total = 0;
        for (var i = 0; i < _ranges.Length; i++)
        {
            _offsets[i] = total;
            total += _ranges[i].Length;
        }
        Length = total;
    }

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length { get; }

    public override long Position
    {
        get => _position;
        set => _position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_position >= Length || buffer.IsEmpty) return 0;
        var index = Array.BinarySearch(_offsets, _position);
        if (index < 0) index = ~index - 1;
        // Skip empty ranges that share an offset with the next one.
        while (_ranges[index].Length == 0 || _position - _offsets[index] >= _ranges[index].Length) index++;
        var within = _position - _offsets[index];
        var available = (int)Math.Min(buffer.Length, _ranges[index].Length - within);
        _inner.Position = _ranges[index].Start + within;
        var read = _inner.Read(buffer[..available]);
        if (read == 0) throw new EndOfStreamException("the file changed while it was read");
        _position += read;
        return read;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => Length + offset,
        };
        return _position;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
