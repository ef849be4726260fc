using Microsoft.ML.OnnxRuntime;

namespace VisionAgent.Onnx;

/// <summary>Small helpers around the OrtValue API: wrapping arrays as inputs and running with cancellation.</summary>
public static class OnnxTensors
{
    public static OrtValue FromArray<T>(T[] data, params long[] shape) where T : unmanaged =>
        OrtValue.CreateTensorValueFromMemory(data, shape);

    /// <summary>Runs the session, stopping it when <paramref name="cancellationToken"/> fires.</summary>
    public static IDisposableReadOnlyCollection<OrtValue> Run(
        InferenceSession session,
        IReadOnlyDictionary<string, OrtValue> inputs,
        IReadOnlyCollection<string> outputNames,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var runOptions = new RunOptions();
        using var registration = cancellationToken.Register(() => runOptions.Terminate = true);
        try
        {
            return session.Run(runOptions, inputs, outputNames);
        }
        catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
    }

    /// <summary>The model's custom metadata (for example a detector's class names), empty when there is none.</summary>
    public static IReadOnlyDictionary<string, string> Metadata(InferenceSession session) =>
        session.ModelMetadata.CustomMetadataMap;
}
