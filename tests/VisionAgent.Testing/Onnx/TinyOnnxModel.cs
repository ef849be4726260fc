using Google.Protobuf;
using Onnx;

namespace VisionAgent.Testing.Onnx;

/// <summary>
/// Builds small ONNX graphs in tests, with the exact input/output names, shapes and metadata of real
/// exports, so experts' loading, preprocessing and decoding run against ONNX Runtime without real weights.
/// Dimensions are numbers, or strings for symbolic ones ("batch", "height").
/// </summary>
public sealed class TinyOnnxModel
{
    private readonly ModelProto _model;
    private readonly GraphProto _graph;
    private int _nodeCount;

    public TinyOnnxModel(string name = "tiny", int opset = 17)
    {
        _graph = new GraphProto { Name = name };
        _model = new ModelProto { IrVersion = 8, ProducerName = "VisionAgent.Testing", Graph = _graph };
        _model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
    }

    public TinyOnnxModel Input(string name, TensorProto.Types.DataType type, params object[] dims)
    {
        _graph.Input.Add(ValueInfo(name, type, dims));
        return this;
    }

    public TinyOnnxModel Output(string name, TensorProto.Types.DataType type, params object[] dims)
    {
        _graph.Output.Add(ValueInfo(name, type, dims));
        return this;
    }

    public TinyOnnxModel FloatInput(string name, params object[] dims) => Input(name, TensorProto.Types.DataType.Float, dims);

    public TinyOnnxModel FloatOutput(string name, params object[] dims) => Output(name, TensorProto.Types.DataType.Float, dims);

    /// <summary>A constant float tensor the graph can use by name.</summary>
    public TinyOnnxModel Initializer(string name, float[] values, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        tensor.FloatData.AddRange(values);
        _graph.Initializer.Add(tensor);
        return this;
    }

    /// <summary>A constant float16 tensor (raw little-endian halves, as converters write them).</summary>
    public TinyOnnxModel Float16Initializer(string name, float[] values, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float16 };
        tensor.Dims.AddRange(dims);
        var halves = values.Select(v => (Half)v).ToArray();
        tensor.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(halves.AsSpan()));
        _graph.Initializer.Add(tensor);
        return this;
    }

    public TinyOnnxModel Initializer(string name, long[] values, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.AddRange(dims);
        tensor.Int64Data.AddRange(values);
        _graph.Initializer.Add(tensor);
        return this;
    }

    /// <summary>Adds an operator node. Attribute values may be long, float, string, long[], float[] or a TensorProto.</summary>
    public TinyOnnxModel Node(string opType, string[] inputs, string[] outputs, params (string Name, object Value)[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = $"{opType}_{_nodeCount++}" };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        foreach (var (attrName, value) in attributes)
            node.Attribute.Add(Attribute(attrName, value));
        _graph.Node.Add(node);
        return this;
    }

    public TinyOnnxModel Metadata(string key, string value)
    {
        _model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return this;
    }

    public byte[] ToBytes() => _model.ToByteArray();

    public string Save(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllBytes(path, ToBytes());
        return path;
    }

    /// <summary>A float constant tensor for a Constant node's value attribute.</summary>
    public static TensorProto FloatTensor(float[] values, params long[] dims)
    {
        var tensor = new TensorProto { DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        tensor.FloatData.AddRange(values);
        return tensor;
    }

    /// <summary>A float16 constant tensor stored the other way the format allows: one value per int32, its bits in the low half.</summary>
    public static TensorProto Float16Tensor(float[] values, params long[] dims)
    {
        var tensor = new TensorProto { DataType = (int)TensorProto.Types.DataType.Float16 };
        tensor.Dims.AddRange(dims);
        tensor.Int32Data.AddRange(values.Select(v => (int)BitConverter.HalfToUInt16Bits((Half)v)));
        return tensor;
    }

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
        {
            shape.Dim.Add(dim switch
            {
                string symbol => new TensorShapeProto.Types.Dimension { DimParam = symbol },
                int n => new TensorShapeProto.Types.Dimension { DimValue = n },
                long n => new TensorShapeProto.Types.Dimension { DimValue = n },
                _ => throw new ArgumentException($"dimension {dim} must be an int, long or string"),
            });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }

    private static AttributeProto Attribute(string name, object value)
    {
        var attribute = new AttributeProto { Name = name };
        switch (value)
        {
            case int i: attribute.Type = AttributeProto.Types.AttributeType.Int; attribute.I = i; break;
            case long l: attribute.Type = AttributeProto.Types.AttributeType.Int; attribute.I = l; break;
            case float f: attribute.Type = AttributeProto.Types.AttributeType.Float; attribute.F = f; break;
            case string s: attribute.Type = AttributeProto.Types.AttributeType.String; attribute.S = ByteString.CopyFromUtf8(s); break;
            case long[] ls: attribute.Type = AttributeProto.Types.AttributeType.Ints; attribute.Ints.AddRange(ls); break;
            case int[] iss: attribute.Type = AttributeProto.Types.AttributeType.Ints; attribute.Ints.AddRange(iss.Select(x => (long)x)); break;
            case float[] fs: attribute.Type = AttributeProto.Types.AttributeType.Floats; attribute.Floats.AddRange(fs); break;
            case TensorProto t: attribute.Type = AttributeProto.Types.AttributeType.Tensor; attribute.T = t; break;
            default: throw new ArgumentException($"unsupported attribute value {value.GetType().Name}");
        }
        return attribute;
    }
}
