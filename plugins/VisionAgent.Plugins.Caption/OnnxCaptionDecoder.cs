using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using VisionAgent.Abstractions;
using VisionAgent.Onnx;

namespace VisionAgent.Plugins.Caption;

/// <summary>How the decoder is run: the whole sequence every step, or one token at a time with a KV cache.</summary>
public enum DecoderCacheMode
{
    /// <summary>decoder_model.onnx only: every step re-reads the whole sequence.</summary>
    None,

    /// <summary>decoder_model.onnx for the first step, decoder_with_past_model.onnx after it.</summary>
    WithPast,

    /// <summary>decoder_model_merged.onnx with use_cache_branch false for the first step and true after it.</summary>
    Merged,
}

/// <summary>
/// Runs an Optimum-exported text decoder (input_ids, encoder_hidden_states[, past_key_values.{i}.key/value,
/// use_cache_branch] to logits[, present.{i}.key/value]) for <see cref="CaptionSearch"/>.
/// </summary>
public sealed class OnnxCaptionDecoder : ICaptionDecoder
{
    private const string PastPrefix = "past_key_values.";
    private const string PresentPrefix = "present.";
    private readonly InferenceSession _decoder;
    private readonly InferenceSession? _cached;
    private readonly float[] _encoderStates;
    private readonly long[] _encoderShape;
    private Dictionary<string, (float[] Data, long[] Shape)>? _cache;
    private float[] _beamEncoderStates = [];
    private int _beams;

    public OnnxCaptionDecoder(InferenceSession decoder, InferenceSession? withPast, bool useCache, float[] encoderStates, long[] encoderShape, int vocabularyFallback = 0)
    {
        _decoder = decoder;
        _encoderStates = encoderStates;
        _encoderShape = encoderShape;
        if (encoderShape.Length != 3 || encoderShape[0] != 1)
            throw new BadInputException($"the caption encoder's last_hidden_state has shape [{string.Join(",", encoderShape)}], not [1,S,D]");
        if (!decoder.InputMetadata.ContainsKey("input_ids") || !decoder.InputMetadata.ContainsKey("encoder_hidden_states") || !decoder.OutputMetadata.ContainsKey("logits"))
            throw new BadInputException("the caption decoder is not an Optimum vision-encoder-decoder export (needs inputs input_ids, encoder_hidden_states and output logits)");
        if (decoder.InputMetadata.ContainsKey("use_cache_branch"))
        {
            // A merged decoder also runs without its cache: use_cache_branch false and an empty past every step.
            Mode = useCache ? DecoderCacheMode.Merged : DecoderCacheMode.None;
            _cached = decoder;
        }
        else if (useCache && withPast is not null)
        {
            Mode = DecoderCacheMode.WithPast;
            _cached = withPast;
        }
        else
        {
            Mode = DecoderCacheMode.None;
        }
        Vocabulary = VocabularyOf(decoder) is > 0 and var size ? size : vocabularyFallback;
        if (Vocabulary <= 0)
            throw new BadInputException("the caption decoder's logits have no static vocabulary size; set vocab_size in config.json");
    }

    public DecoderCacheMode Mode { get; }

    public int Vocabulary { get; }

    /// <summary>Time spent inside ONNX Runtime by the decoder, for reporting model time apart from search time.</summary>
    public TimeSpan ModelTime { get; private set; }

    public void Start(int beams)
    {
        _beams = beams;
        _cache = null;
        var block = _encoderStates.Length;
        _beamEncoderStates = new float[block * beams];
        for (var b = 0; b < beams; b++) _encoderStates.CopyTo(_beamEncoderStates, b * block);
    }

    public void Step(IReadOnlyList<List<int>> sequences, Span<float> logits, CancellationToken cancellationToken)
    {
        var length = sequences[0].Count;
        var firstStep = _cache is null;
        // Without a cache every step reads the whole sequence; with one, only the newest token after the first step.
        var (session, fed) = Mode switch
        {
            DecoderCacheMode.None => (_decoder, length),
            DecoderCacheMode.WithPast when firstStep && ProducesPresents(_decoder) => (_decoder, length),
            _ => (_cached!, firstStep ? length : 1),
        };
        var ids = new long[_beams * fed];
        for (var b = 0; b < _beams; b++)
        {
            for (var s = 0; s < fed; s++) ids[(b * fed) + s] = sequences[b][length - fed + s];
        }

        var inputs = new Dictionary<string, OrtValue>();
        try
        {
            inputs["input_ids"] = OnnxTensors.FromArray(ids, _beams, fed);
            inputs["encoder_hidden_states"] = OnnxTensors.FromArray(_beamEncoderStates, _beams, _encoderShape[1], _encoderShape[2]);
            var pastLength = length - fed;
            var cached = Mode != DecoderCacheMode.None && !firstStep;
            if (session.InputMetadata.ContainsKey("use_cache_branch"))
                inputs["use_cache_branch"] = OrtValue.CreateTensorValueFromMemory(new[] { cached }, [1]);
            if (session.InputMetadata.ContainsKey("attention_mask"))
                inputs["attention_mask"] = OnnxTensors.FromArray(Ones(_beams * length), _beams, length);
            if (session.InputMetadata.ContainsKey("encoder_attention_mask"))
                inputs["encoder_attention_mask"] = OnnxTensors.FromArray(Ones(_beams * (int)_encoderShape[1]), _beams, _encoderShape[1]);
            if (session.InputMetadata.ContainsKey("position_ids"))
                inputs["position_ids"] = OnnxTensors.FromArray(Positions(pastLength, fed), _beams, fed);
            foreach (var name in session.InputNames.Where(n => n.StartsWith(PastPrefix, StringComparison.Ordinal)))
            {
                var (data, shape) = cached ? _cache![name] : EmptyPast(session, name);
                inputs[name] = OnnxTensors.FromArray(data, shape);
            }

            var outputNames = new List<string> { "logits" };
            if (Mode != DecoderCacheMode.None)
                outputNames.AddRange(session.OutputNames.Where(n => n.StartsWith(PresentPrefix, StringComparison.Ordinal)));
            var clock = Stopwatch.StartNew();
            using var outputs = OnnxTensors.Run(session, inputs, outputNames, cancellationToken);
            ModelTime += clock.Elapsed;

            var logitShape = outputs[0].GetTensorTypeAndShape().Shape;
            var all = outputs[0].GetTensorDataAsSpan<float>();
            var vocabulary = (int)logitShape[^1];
            if (vocabulary != Vocabulary)
                throw new BadInputException($"the caption decoder returned {vocabulary} logits per token, not {Vocabulary}");
            var positions = (int)logitShape[1];
            for (var b = 0; b < _beams; b++)
                all.Slice(((b * positions) + positions - 1) * vocabulary, vocabulary).CopyTo(logits.Slice(b * vocabulary, vocabulary));

            if (Mode != DecoderCacheMode.None)
            {
                var next = new Dictionary<string, (float[], long[])>(StringComparer.Ordinal);
                for (var i = 1; i < outputNames.Count; i++)
                {
                    var past = PastPrefix + outputNames[i][PresentPrefix.Length..];
                    next[past] = (outputs[i].GetTensorDataAsSpan<float>().ToArray(), outputs[i].GetTensorTypeAndShape().Shape);
                }
                _cache = next;
            }
        }
        finally
        {
            foreach (var value in inputs.Values) value.Dispose();
        }
    }

    public void Reorder(ReadOnlySpan<int> sources)
    {
        if (_cache is null) return;
        var reordered = new Dictionary<string, (float[], long[])>(StringComparer.Ordinal);
        foreach (var (name, (data, shape)) in _cache)
        {
            var block = data.Length / _beams;
            var copy = new float[data.Length];
            for (var b = 0; b < sources.Length; b++) Array.Copy(data, sources[b] * block, copy, b * block, block);
            reordered[name] = (copy, shape);
        }
        _cache = reordered;
    }

    private bool ProducesPresents(InferenceSession session) =>
        session.OutputNames.Any(n => n.StartsWith(PresentPrefix, StringComparison.Ordinal));

    // An empty past for the first step: [beams, heads, 0, head size], heads and head size from the model's static dims.
    private (float[] Data, long[] Shape) EmptyPast(InferenceSession session, string name)
    {
        var dims = session.InputMetadata[name].Dimensions;
        if (dims.Length != 4 || dims[1] <= 0 || dims[3] <= 0)
            throw new BadInputException($"the caption decoder's {name} needs a static [batch, heads, length, head size] shape");
        return ([], [_beams, dims[1], 0, dims[3]]);
    }

    private static int VocabularyOf(InferenceSession session)
    {
        var dims = session.OutputMetadata["logits"].Dimensions;
        return dims.Length == 3 && dims[2] > 0 ? dims[2] : 0;
    }

    private static long[] Ones(int count)
    {
        var ones = new long[count];
        Array.Fill(ones, 1L);
        return ones;
    }

    private long[] Positions(int start, int count)
    {
        var positions = new long[_beams * count];
        for (var b = 0; b < _beams; b++)
        {
            for (var s = 0; s < count; s++) positions[(b * count) + s] = start + s;
        }
        return positions;
    }
}
