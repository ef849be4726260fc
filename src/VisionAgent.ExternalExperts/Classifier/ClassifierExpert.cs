using System.ComponentModel;
using Microsoft.ML.OnnxRuntime;
using Microsoft.SemanticKernel;
using VisionAgent.Abstractions;
using VisionAgent.Imaging;
using VisionAgent.Onnx;
using VisionAgent.ExternalExperts.Folders;

namespace VisionAgent.ExternalExperts.Classifier;

/// <summary>The <c>classifier</c> kind: an ONNX image classifier described by a manifest, with a labels file.</summary>
public static class ClassifierExpert
{
    public static object Create(PluginManifest plugin, ExpertContext context)
    {
        var settings = ClassifierSettings.From(context);
        var labels = settings.LabelsFile is { } file ? ClassifierProcessing.ReadLabels(plugin.Resolve(file)) : [];
        var model = context.Manifest.Models.FirstOrDefault()
            ?? throw new BadInputException($"{context.Manifest.Name}: a classifier manifest needs one model file under models:");
        return new ClassifierPlugin(context, settings, labels, model.Name);
    }
}

/// <summary>The tool of a <c>classifier</c> expert.</summary>
public sealed class ClassifierPlugin(ExpertContext context, ClassifierSettings settings, IReadOnlyList<string> labels, string modelName)
{
    [KernelFunction("classify")]
    [ExpertData(typeof(ClassificationResult))]
    [Description("Classifies the whole image and returns the most likely labels with probabilities.")]
    public async Task<ExpertResult> ClassifyAsync(
        [Description("image handle, e.g. img1")] string image,
        [Description("how many labels to return")] int top_k = 0,
        CancellationToken cancellationToken = default)
    {
        var record = context.Images.Get(image);
        var path = await context.Models.GetPathAsync(context.Manifest.Name, modelName, cancellationToken).ConfigureAwait(false);
        var session = context.GetRequiredService<OnnxSessionPool>().Get(path);
        var loader = context.GetRequiredService<ImageLoader>();
        var (data, shape) = ClassifierProcessing.Preprocess(record.Path, settings, loader);
        var inputName = settings.Input ?? session.InputNames[0];
        var outputName = settings.Output ?? session.OutputNames[0];
        using var input = OnnxTensors.FromArray(data, shape);
        using var outputs = OnnxTensors.Run(session, new Dictionary<string, OrtValue> { [inputName] = input }, [outputName], cancellationToken);
        var scores = outputs[0].GetTensorDataAsSpan<float>();
        var top = ClassifierProcessing.TopClasses(scores, labels, top_k > 0 ? Math.Min(top_k, 100) : settings.TopK);
        return ClassifierProcessing.ToResult(record.Handle, top);
    }
}
