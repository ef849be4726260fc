using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace VisionAgent.Onnx;

/// <summary>
/// Rewrites a float16 ONNX model as float32: every float16 initializer and constant becomes float32, casts to
/// float16 become casts to float32, and float16 value types become float32. Values are widened exactly, so the
/// float32 model computes what the float16 one would with float32 arithmetic.
/// </summary>
public static class Float16Widening
{
    private const int Float16 = (int)TensorProto.Types.DataType.Float16;
    private const int Float32 = (int)TensorProto.Types.DataType.Float;

    /// <summary>The widened model's bytes, or null when the model holds no float16 at all.</summary>
    public static byte[]? Widen(byte[] model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var proto = ModelProto.Parser.ParseFrom(model);
        var changed = WidenGraph(proto.Graph);
        return changed ? proto.ToByteArray() : null;
    }

    private static bool WidenGraph(GraphProto? graph)
    {
        if (graph is null) return false;
        var changed = false;
        foreach (var tensor in graph.Initializer) changed |= WidenTensor(tensor);
        foreach (var node in graph.Node)
        {
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
        }
        foreach (var value in graph.Input.Concat(graph.Output).Concat(graph.ValueInfo))
        {
            if (value.Type?.TensorType is { ElemType: Float16 } type)
            {
                type.ElemType = Float32;
                changed = true;
            }
        }
        return changed;
    }

    private static bool WidenTensor(TensorProto tensor)
    {
        if (tensor.DataType != Float16) return false;
        if (tensor.DataLocation == TensorProto.Types.DataLocation.External)
            throw new NotSupportedException($"tensor '{tensor.Name}' keeps its data outside the model file; widening needs it inside");
        float[] values;
        if (!tensor.RawData.IsEmpty)
        {
            var halves = MemoryMarshal.Cast<byte, Half>(tensor.RawData.Span);
            values = new float[halves.Length];
            for (var i = 0; i < halves.Length; i++) values[i] = (float)halves[i];
        }
        else
        {
            // Without raw data, float16 values are stored one per int32 (their bit pattern in the low half).
            values = new float[tensor.Int32Data.Count];
            for (var i = 0; i < values.Length; i++) values[i] = (float)BitConverter.UInt16BitsToHalf((ushort)tensor.Int32Data[i]);
            tensor.Int32Data.Clear();
        }
        tensor.DataType = Float32;
        tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
        return true;
    }
}
