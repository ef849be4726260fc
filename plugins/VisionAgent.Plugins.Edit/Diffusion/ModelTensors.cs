using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using VisionAgent.Abstractions;

namespace VisionAgent.Plugins.Edit.Diffusion;

/// <summary>
/// Creates inputs in whatever element type a model declares (float32 or float16 exports, int32 or int64 ids and
/// timesteps) and reads float outputs back, so one pipeline serves both fp32 and fp16 exports.
/// </summary>
internal static class ModelTensors
{
    public static OrtValue Floats(InferenceSession session, string name, float[] data, long[] shape) =>
        ElementType(session, name) switch
        {
            TensorElementType.Float => OrtValue.CreateTensorValueFromMemory(data, shape),
            TensorElementType.Float16 => OrtValue.CreateTensorValueFromMemory(data.Select(v => (Float16)v).ToArray(), shape),
            var other => throw new BadInputException($"model input '{name}' has element type {other}; expected float32 or float16"),
        };

    public static OrtValue Integers(InferenceSession session, string name, int[] data, long[] shape) =>
        ElementType(session, name) switch
        {
            TensorElementType.Int32 => OrtValue.CreateTensorValueFromMemory(data, shape),
            TensorElementType.Int64 => OrtValue.CreateTensorValueFromMemory(data.Select(v => (long)v).ToArray(), shape),
            var other => throw new BadInputException($"model input '{name}' has element type {other}; expected int32 or int64"),
        };

    /// <summary>A timestep in the declared type (integer exports truncate as numpy's cast does) and shape.</summary>
    public static OrtValue Timestep(InferenceSession session, string name, double timestep, int batch)
    {
        var dims = session.InputMetadata[name].Dimensions;
        long[] shape = dims.Length == 0 ? [] : [dims[0] > 1 ? batch : 1];
        var count = shape.Length == 0 ? 1 : (int)shape[0];
        return ElementType(session, name) switch
        {
            TensorElementType.Float => OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat((float)timestep, count).ToArray(), shape),
            TensorElementType.Float16 => OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat((Float16)(float)timestep, count).ToArray(), shape),
            TensorElementType.Double => OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat(timestep, count).ToArray(), shape),
            TensorElementType.Int64 => OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat((long)timestep, count).ToArray(), shape),
            TensorElementType.Int32 => OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat((int)timestep, count).ToArray(), shape),
            var other => throw new BadInputException($"model input '{name}' has element type {other}; expected a number"),
        };
    }

    public static float[] ReadFloats(OrtValue value)
    {
        var info = value.GetTensorTypeAndShape();
        return info.ElementDataType switch
        {
            TensorElementType.Float => value.GetTensorDataAsSpan<float>().ToArray(),
            TensorElementType.Float16 => ToFloats(value.GetTensorDataAsSpan<Float16>()),
            var other => throw new BadInputException($"model output has element type {other}; expected float32 or float16"),
        };
    }

    public static long[] Shape(OrtValue value) => value.GetTensorTypeAndShape().Shape;

    public static void RequireInputs(InferenceSession session, string model, params string[] names)
    {
        foreach (var name in names)
        {
            if (!session.InputMetadata.ContainsKey(name))
                throw new BadInputException($"the {model} model has no input '{name}' (inputs: {string.Join(", ", session.InputMetadata.Keys)}); is it a diffusers ONNX export?");
        }
    }

    /// <summary>The named output when the model has it, else its first output.</summary>
    public static string OutputName(InferenceSession session, string preferred) =>
        session.OutputMetadata.ContainsKey(preferred) ? preferred : session.OutputMetadata.Keys.First();

    private static TensorElementType ElementType(InferenceSession session, string name) =>
        session.InputMetadata.TryGetValue(name, out var meta)
            ? meta.ElementDataType
            : throw new BadInputException($"model has no input '{name}' (inputs: {string.Join(", ", session.InputMetadata.Keys)})");

    private static float[] ToFloats(ReadOnlySpan<Float16> values)
    {
        var result = new float[values.Length];
        for (var i = 0; i < values.Length; i++) result[i] = (float)values[i];
        return result;
    }
}
