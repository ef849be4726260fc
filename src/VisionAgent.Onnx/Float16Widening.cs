using System.Buffers;
using Google.Protobuf;
using Onnx;

namespace VisionAgent.Onnx;

/// <summary>What one widening did: whether anything was float16, and the most tensor bytes it held at once.</summary>
/// <param name="Changed">False when the model holds no float16 (the output is then a copy of the input).</param>
/// <param name="PeakHeldBytes">The largest sum of one graph element as read and as widened: the conversion never holds more.</param>
/// <param name="WrittenBytes">The size of the widened model.</param>
public sealed record Float16WideningResult(bool Changed, long PeakHeldBytes, long WrittenBytes);

/// <summary>
/// Rewrites a float16 ONNX model as float32: every float16 initializer and constant becomes float32, casts to
/// float16 become casts to float32, and float16 value types become float32. Values are widened exactly, so the
/// float32 model computes what the float16 one would with float32 arithmetic.
/// The model is streamed one graph element (node, initializer, value type) at a time: a model of hundreds of
/// megabytes is converted while holding only its largest tensor, twice.
/// </summary>
public static class Float16Widening
{
    private const int Float16 = (int)TensorProto.Types.DataType.Float16;
    private const int Float32 = (int)TensorProto.Types.DataType.Float;
    private const int LengthDelimited = 2;
    private const int ModelGraphField = 7;

    /// <summary>The widened model's bytes, or null when the model holds no float16 at all.</summary>
    public static byte[]? Widen(byte[] model)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var source = new MemoryStream(model, writable: false);
        using var destination = new MemoryStream();
        return Widen(source, destination, CancellationToken.None).Changed ? destination.ToArray() : null;
    }

    /// <summary>
    /// Writes the widened form of the model in <paramref name="source"/> (seekable, read from its current position
    /// to its end) to <paramref name="destination"/>. Each graph is read twice: once to learn its widened length,
    /// which protobuf writes before the graph, then to write it.
    /// </summary>
    public static Float16WideningResult Widen(Stream source, Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        if (!source.CanSeek) throw new ArgumentException("widening reads each graph twice: the source must be seekable", nameof(source));
        var state = new WalkState(source, cancellationToken);
        var start = destination.CanSeek ? destination.Position : 0;
        var end = source.Length;
        while (source.Position < end)
        {
            var (field, wireType, length) = ReadFieldHeader(source);
            if (field == ModelGraphField && wireType == LengthDelimited)
            {
                var graphStart = source.Position;
                var widenedLength = WalkGraph(state, graphStart + length, null);
                if (widenedLength > int.MaxValue)
                    throw new InvalidDataException("the widened graph would exceed 2 GB, more than one protobuf message can hold");
                source.Position = graphStart;
                WriteVarint(destination, ((ulong)field << 3) | LengthDelimited);
                WriteVarint(destination, (ulong)widenedLength);
                WalkGraph(state, graphStart + length, destination);
            }
            else
            {
                CopyField(source, destination, field, wireType, length);
            }
        }
        var written = destination.CanSeek ? destination.Position - start : 0;
        return new Float16WideningResult(state.Changed, state.PeakHeldBytes, written);
    }

    private sealed class WalkState(Stream source, CancellationToken cancellationToken)
    {
        public Stream Source { get; } = source;
        public CancellationToken CancellationToken { get; } = cancellationToken;
        public bool Changed { get; set; }
        public long PeakHeldBytes { get; set; }
    }

    // Walks a graph's elements from the source's position to end; writes them to destination when it is given.
    // Returns the graph's widened length.
    private static long WalkGraph(WalkState state, long end, Stream? destination)
    {
        var source = state.Source;
        long total = 0;
        while (source.Position < end)
        {
            state.CancellationToken.ThrowIfCancellationRequested();
            var (field, wireType, length) = ReadFieldHeader(source);
            var parser = wireType == LengthDelimited ? ElementParser(field) : null;
            if (parser is null)
            {
                total += CopyField(source, destination, field, wireType, length);
                continue;
            }

            var buffer = ArrayPool<byte>.Shared.Rent(checked((int)length));
            try
            {
                source.ReadExactly(buffer, 0, (int)length);
                var element = parser.ParseFrom(buffer, 0, (int)length);
                var changed = WidenElement(element);
                var size = changed ? element.CalculateSize() : (int)length;
                state.Changed |= changed;
                state.PeakHeldBytes = Math.Max(state.PeakHeldBytes, length + (changed ? size : 0));
                total += VarintSize(((ulong)field << 3) | LengthDelimited) + VarintSize((ulong)size) + size;
                if (destination is null) continue;
                WriteVarint(destination, ((ulong)field << 3) | LengthDelimited);
                WriteVarint(destination, (ulong)size);
                if (changed) element.WriteTo(destination);
                else destination.Write(buffer, 0, (int)length);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        if (source.Position != end) throw new InvalidDataException("the model's graph ends inside one of its fields");
        return total;
    }

    // GraphProto fields that can hold float16: node (1), initializer (5), input (11), output (12), value_info (13),
    // sparse_initializer (15).
    private static MessageParser? ElementParser(int graphField) => graphField switch
    {
        1 => NodeProto.Parser,
        5 => TensorProto.Parser,
        11 or 12 or 13 => ValueInfoProto.Parser,
        15 => SparseTensorProto.Parser,
        _ => null,
    };

    private static bool WidenElement(IMessage element) => element switch
    {
        NodeProto node => WidenNode(node),
        TensorProto tensor => WidenTensor(tensor),
        ValueInfoProto value => WidenValueType(value),
        SparseTensorProto sparse => sparse.Values is { } values && WidenTensor(values),
        _ => false,
    };

    private static bool WidenGraph(GraphProto? graph)
    {
        if (graph is null) return false;
        var changed = false;
        foreach (var tensor in graph.Initializer) changed |= WidenTensor(tensor);
        foreach (var sparse in graph.SparseInitializer) changed |= sparse.Values is { } values && WidenTensor(values);
        foreach (var node in graph.Node) changed |= WidenNode(node);
        foreach (var value in graph.Input.Concat(graph.Output).Concat(graph.ValueInfo)) changed |= WidenValueType(value);
        return changed;
    }

    private static bool WidenNode(NodeProto node)
    {
        var changed = false;
        foreach (var attribute in node.Attribute)
        {
            if (attribute.T is { } tensor) changed |= WidenTensor(tensor);
            foreach (var item in attribute.Tensors) changed |= WidenTensor(item);
            changed |= WidenGraph(attribute.G);
            foreach (var sub in attribute.Graphs) changed |= WidenGraph(sub);
            // Cast(to=float16) and the dtype of ops such as EyeLike, RandomNormal or ConstantOfShape's siblings.
            if (attribute.Type == AttributeProto.Types.AttributeType.Int && attribute.I == Float16 && attribute.Name is "to" or "dtype")
            {
                attribute.I = Float32;
                changed = true;
            }
        }
        return changed;
    }

    private static bool WidenValueType(ValueInfoProto value)
    {
        if (value.Type?.TensorType is not { ElemType: Float16 } type) return false;
        type.ElemType = Float32;
        return true;
    }

    private static bool WidenTensor(TensorProto tensor)
    {
        if (tensor.DataType != Float16) return false;
        if (tensor.DataLocation == TensorProto.Types.DataLocation.External)
            throw new NotSupportedException($"tensor '{tensor.Name}' keeps its data outside the model file; widening needs it inside");
        byte[] widened;
        if (!tensor.RawData.IsEmpty)
        {
            var halves = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, Half>(tensor.RawData.Span);
            widened = new byte[checked(halves.Length * sizeof(float))];
            var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(widened.AsSpan());
            for (var i = 0; i < halves.Length; i++) values[i] = (float)halves[i];
        }
        else
        {
            // Without raw data, float16 values are stored one per int32 (their bit pattern in the low half).
            widened = new byte[checked(tensor.Int32Data.Count * sizeof(float))];
            var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(widened.AsSpan());
            for (var i = 0; i < values.Length; i++) values[i] = (float)BitConverter.UInt16BitsToHalf((ushort)tensor.Int32Data[i]);
            tensor.Int32Data.Clear();
        }
        tensor.DataType = Float32;
        // The array is ours alone from here on: wrapping it saves a copy of the largest buffer.
        tensor.RawData = UnsafeByteOperations.UnsafeWrap(widened);
        return true;
    }

    private static (int Field, int WireType, long Length) ReadFieldHeader(Stream source)
    {
        var tag = ReadVarint(source);
        var field = checked((int)(tag >> 3));
        var wireType = (int)(tag & 7);
        if (field == 0) throw new InvalidDataException("the model file is not an ONNX protobuf (field number 0)");
        var length = wireType == LengthDelimited ? checked((long)ReadVarint(source)) : 0;
        if (wireType == LengthDelimited && length > source.Length - source.Position)
            throw new InvalidDataException("the model file is truncated: a field runs past its end");
        return (field, wireType, length);
    }

    // Copies one field as it was (tag, length and payload) when destination is given, else skips it; returns the
    // bytes it writes either way.
    private static long CopyField(Stream source, Stream? destination, int field, int wireType, long length)
    {
        var tag = ((ulong)field << 3) | (uint)wireType;
        if (destination is not null) WriteVarint(destination, tag);
        var header = VarintSize(tag);
        switch (wireType)
        {
            case 0:
                var value = ReadVarint(source);
                if (destination is not null) WriteVarint(destination, value);
                return header + VarintSize(value);
            case 1:
                CopyBytes(source, destination, 8);
                return header + 8;
            case LengthDelimited:
                if (destination is not null) WriteVarint(destination, (ulong)length);
                CopyBytes(source, destination, length);
                return header + VarintSize((ulong)length) + length;
            case 5:
                CopyBytes(source, destination, 4);
                return header + 4;
            default:
                throw new InvalidDataException($"the model file uses protobuf wire type {wireType}, which ONNX models do not");
        }
    }

    private static void CopyBytes(Stream source, Stream? destination, long count)
    {
        if (destination is null)
        {
            source.Seek(count, SeekOrigin.Current);
            return;
        }
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            while (count > 0)
            {
                var chunk = (int)Math.Min(count, buffer.Length);
                source.ReadExactly(buffer, 0, chunk);
                destination.Write(buffer, 0, chunk);
                count -= chunk;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static ulong ReadVarint(Stream source)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var next = source.ReadByte();
            if (next < 0) throw new InvalidDataException("the model file is truncated inside a field header");
            value |= (ulong)(next & 0x7f) << shift;
            if ((next & 0x80) == 0) return value;
        }
        throw new InvalidDataException("the model file holds a malformed varint");
    }

    private static void WriteVarint(Stream destination, ulong value)
    {
        while (value >= 0x80)
        {
            destination.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        destination.WriteByte((byte)value);
    }

    private static int VarintSize(ulong value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }
        return size;
    }
}
