using System.ComponentModel;
using Microsoft.SemanticKernel;
using VisionAgent.Abstractions;
using VisionAgent.Imaging;
using VisionAgent.ExternalExperts.Classifier;
using VisionAgent.ExternalExperts.Folders;

namespace VisionAgent.ExternalExperts.Remote;

/// <summary>
/// The <c>remote</c> kind: the model runs on an inference server speaking the open inference protocol; the
/// pre- and post-processing (named by <c>processing</c>, today <c>classifier</c>) run here.
/// </summary>
public static class RemoteExpert
{
    public static object Create(PluginManifest plugin, ExpertContext context)
    {
        var values = new Dictionary<string, string>(context.Settings.ToDictionary(), StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in plugin.Remote) values[key] = value;
        var options = RemoteModelOptions.From(values, context.Manifest.Name);
        if (!string.Equals(options.Processing, "classifier", StringComparison.OrdinalIgnoreCase))
            throw new BadInputException($"{context.Manifest.Name}: remote processing '{options.Processing}' is not supported (supported: classifier)");
        var settings = ClassifierSettings.From(context);
        var labels = settings.LabelsFile is { } file ? ClassifierProcessing.ReadLabels(plugin.Resolve(file)) : [];
        return new RemoteClassifierPlugin(context, new KServeClient(options), settings, labels);
    }
}

/// <summary>The tool of a remote classifier: local preprocessing, inference on the server, local softmax and top-k.</summary>
public sealed class RemoteClassifierPlugin(ExpertContext context, KServeClient client, ClassifierSettings settings, IReadOnlyList<string> labels)
{
    private DateTime _readyUntil = DateTime.MinValue;

    [KernelFunction("classify")]
    [ExpertData(typeof(ClassificationResult))]
    [Description("Classifies the whole image on the inference server and returns the most likely labels with probabilities.")]
    public async Task<ExpertResult> ClassifyAsync(
        [Description("image handle, e.g. img1")] string image,
        [Description("how many labels to return")] int top_k = 0,
        CancellationToken cancellationToken = default)
    {
        var record = context.Images.Get(image);
        await EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
        var loader = context.GetRequiredService<ImageLoader>();
        var (data, shape) = ClassifierProcessing.Preprocess(record.Path, settings, loader);
        var output = await client.InferAsync(new InferTensor(client.Options.Input, shape, "FP32", data), client.Options.Output, cancellationToken).ConfigureAwait(false);
        var top = ClassifierProcessing.TopClasses(output.Data, labels, top_k > 0 ? Math.Min(top_k, 100) : settings.TopK);
        return ClassifierProcessing.ToResult(record.Handle, top);
    }

    /// <summary>Checks <c>/v2/health/ready</c> before the first call and again after a minute, so a down server fails fast with a clear message.</summary>
    private async Task EnsureReadyAsync(CancellationToken cancellationToken)
    {
        if (DateTime.UtcNow < _readyUntil) return;
        if (!await client.IsReadyAsync(cancellationToken).ConfigureAwait(false))
            throw new VisionAgentException($"the inference server at {client.Options.Url} is not ready (GET /v2/health/ready)");
        _readyUntil = DateTime.UtcNow.AddMinutes(1);
    }
}
