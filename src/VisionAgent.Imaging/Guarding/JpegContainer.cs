namespace VisionAgent.Imaging;

/// <summary>
/// Walks a JPEG marker by marker up to its end-of-image marker. The decoder later sees the tables, frame headers
/// and scans plus the first JFIF, Exif and Adobe segments; ICC profiles, XMP, comments and other application
/// segments are cut out (ImageSharp 2 joins repeated ICC segments by copying, which grows quadratically), and so
/// is anything after the end-of-image marker (motion photos append a video there).
/// </summary>
internal static class JpegContainer
{
    private const int StartOfScan = 0xDA;
    private const int EndOfImage = 0xD9;

    public static ContainerCheck Check(Stream stream)
    {
        var reader = new ForwardReader(stream, 2);
        var kept = new ByteRangeList();
        kept.Add(0, 2);
        var scans = 0;
        var allowedScans = ImageStructure.MaxJpegScans;
        bool sawJfif = false, sawExif = false, sawAdobe = false;
        for (var segments = 0; ; segments++)
        {
            if (segments >= ImageStructure.MaxJpegSegments)
                return ContainerCheck.Refuse($"JPEG has more than {ImageStructure.MaxJpegSegments} segments");
            var lead = reader.ReadByte();
            if (lead < 0) return ContainerCheck.Refuse("truncated JPEG (no end-of-image marker)");
            if (lead != 0xFF) return ContainerCheck.Refuse("corrupt JPEG (a marker was expected)");
            int marker;
            do marker = reader.ReadByte(); while (marker == 0xFF);
            if (marker < 0) return ContainerCheck.Refuse("truncated JPEG (no end-of-image marker)");
            var markerStart = reader.Position - 2;
            if (marker == EndOfImage)
            {
                kept.Add(markerStart, 2);
                return new ContainerCheck(null, kept.Ranges);
            }
            if (marker is >= 0xD0 and <= 0xD7 or 0x01)
            {
                kept.Add(markerStart, 2);
                continue;
            }
            if (marker is 0x00 or 0xD8) return ContainerCheck.Refuse("corrupt JPEG (a marker out of place)");

            var high = reader.ReadByte();
            var low = reader.ReadByte();
            if (low < 0) return ContainerCheck.Refuse("truncated JPEG (no end-of-image marker)");
            var length = (high << 8) | low;
            if (length < 2) return ContainerCheck.Refuse("corrupt JPEG (a segment shorter than its length field)");
            var end = markerStart + 2 + length;
            if (end > reader.Length) return ContainerCheck.Refuse("truncated JPEG (a segment runs past the end of the file)");

            var metadata = marker is >= 0xE0 and <= 0xEF or 0xFE;
            var keep = !metadata
                || (marker == 0xE0 && !sawJfif && (sawJfif = true))
                || (marker == 0xE1 && !sawExif && StartsWithExif(reader, length) && (sawExif = true))
                || (marker == 0xEE && !sawAdobe && (sawAdobe = true));
            if (keep) kept.Add(markerStart, 2 + length);
            if (IsStartOfFrame(marker) && length >= 7)
            {
                reader.ReadByte();
                var height = (reader.ReadByte() << 8) | reader.ReadByte();
                var width = (reader.ReadByte() << 8) | reader.ReadByte();
                allowedScans = ImageStructure.AllowedJpegScans((long)Math.Max(1, width) * Math.Max(1, height));
            }
            reader.Seek(end);
            if (marker != StartOfScan) continue;

            if (++scans > allowedScans)
                return ContainerCheck.Refuse($"JPEG has more than {allowedScans} scans for its size (progressive JPEGs use about ten)");
            var dataStart = reader.Position;
            if (!reader.SkipEntropyCodedData())
                return ContainerCheck.Refuse("truncated JPEG (no end-of-image marker)");
            kept.Add(dataStart, reader.Position - dataStart);
        }
    }

    // SOF0-SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range.
    private static bool IsStartOfFrame(int marker) => marker is >= 0xC0 and <= 0xCF and not (0xC4 or 0xC8 or 0xCC);

    private static bool StartsWithExif(ForwardReader reader, int length)
    {
        if (length < 8) return false;
        Span<byte> id = stackalloc byte[6];
        for (var i = 0; i < id.Length; i++) id[i] = (byte)reader.ReadByte();
        return id.SequenceEqual("Exif\0\0"u8);
    }

    /// <summary>Forward reading through a buffer, with a fast skip over entropy-coded data.</summary>
    private sealed class ForwardReader
    {
        private readonly Stream _stream;
        private readonly byte[] _buffer = new byte[64 * 1024];
        private long _bufferStart;
        private int _count;
        private int _index;

        public ForwardReader(Stream stream, long start)
        {
            _stream = stream;
            Length = stream.Length;
            Seek(start);
        }

        public long Length { get; }

        public long Position => _bufferStart + _index;

        public void Seek(long position)
        {
            if (position >= _bufferStart && position <= _bufferStart + _count)
            {
                _index = (int)(position - _bufferStart);
                return;
            }
            _bufferStart = position;
            _count = 0;
            _index = 0;
        }

        public int ReadByte()
        {
            if (_index >= _count && !Fill()) return -1;
            return _buffer[_index++];
        }

        /// <summary>
        /// Moves to the next marker that ends entropy-coded data (0xFF followed by neither a stuffed zero nor a
        /// restart marker); false when the file ends first.
        /// </summary>
        public bool SkipEntropyCodedData()
        {
            while (true)
            {
                if (_index >= _count && !Fill()) return false;
                var found = _buffer.AsSpan(_index, _count - _index).IndexOf((byte)0xFF);
                if (found < 0)
                {
                    _index = _count;
                    continue;
                }
                _index += found;
                _index++;
                int next;
                do next = ReadByte(); while (next == 0xFF);
                if (next < 0) return false;
                if (next == 0x00 || next is >= 0xD0 and <= 0xD7) continue;
                // Leave the position on the last fill byte before the marker, where the walk expects a marker.
                Seek(Position - 2);
                return true;
            }
        }

        private bool Fill()
        {
            _bufferStart += _count;
            _index = 0;
            _stream.Position = _bufferStart;
            _count = _stream.Read(_buffer, 0, _buffer.Length);
            return _count > 0;
        }
    }
}
