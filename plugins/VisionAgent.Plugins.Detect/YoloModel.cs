using Microsoft.ML.OnnxRuntime;
using VisionAgent.Abstractions;
using VisionAgent.Onnx;

namespace VisionAgent.Plugins.Detect;

/// <summary>What the detector needs to know about a loaded YOLO model: tensor names, input size, class names.</summary>
public sealed record YoloModel(InferenceSession Session, string InputName, string OutputName, int InputWidth, int InputHeight, YoloClassNames Names)
{
    /// <summary>
    /// Reads the input size from a static input shape (else <paramref name="fallbackSize"/>) and the class names
    /// from <paramref name="labelsFile"/> when given, else from the model's <c>names</c> metadata.
    /// </summary>
    public static YoloModel Describe(InferenceSession session, string modelPath, int fallbackSize, string? labelsFile)
    {
        var input = session.InputMetadata.ContainsKey("images") ? "images" : session.InputNames[0];
        var output = session.OutputMetadata.ContainsKey("output0") ? "output0" : session.OutputNames[0];
        var dims = session.InputMetadata[input].Dimensions;
        if (dims.Length != 4)
            throw new BadInputException($"{Path.GetFileName(modelPath)} is not a YOLO detector: input '{input}' has {dims.Length} dimensions, not 4 (1x3xHxW)");
        var height = dims[2] > 0 ? dims[2] : fallbackSize;
        var width = dims[3] > 0 ? dims[3] : fallbackSize;
        YoloClassNames names;
        if (!string.IsNullOrWhiteSpace(labelsFile))
        {
            names = new YoloClassNames(YoloClassNames.ReadLabelsFile(ResolveBeside(labelsFile, modelPath)), fromModelFile: false);
        }
        else if (OnnxTensors.Metadata(session).TryGetValue("names", out var metadata))
        {
            names = new YoloClassNames(YoloClassNames.ParseMetadata(metadata), fromModelFile: true);
        }
        else
        {
            names = YoloClassNames.None;
        }
        return new YoloModel(session, input, output, width, height, names);
    }

    private static string ResolveBeside(string file, string modelPath)
    {
        if (Path.IsPathRooted(file)) return file;
        var beside = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath)) ?? ".", file);
        return File.Exists(beside) ? beside : Path.GetFullPath(file);
    }
}
