using Onnx;

namespace VisionAgent.Testing.Onnx;

/// <summary>
/// Writes tiny models with the file names, tensor names and layouts of a Hugging Face Optimum export of a
/// vision-encoder-decoder captioner such as ViT-GPT2: <c>encoder_model.onnx</c> (<c>pixel_values</c> to
/// <c>last_hidden_state</c>), <c>decoder_model.onnx</c> (<c>input_ids</c>, <c>encoder_hidden_states</c> to
/// <c>logits</c> and <c>present.{i}.key/value</c>), <c>decoder_with_past_model.onnx</c> (adds
/// <c>past_key_values.{i}.key/value</c>) and <c>decoder_model_merged.onnx</c> (adds <c>use_cache_branch</c>).
/// The decoders' logits follow a <see cref="CaptionScript"/>; the cached ones read the previous token back
/// from the KV cache, so a cache fed wrongly changes the caption.
/// </summary>
public sealed class VisionEncoderDecoderExport(CaptionScript script, int layers = 2, int heads = 2, int headDim = 4, int hiddenSize = 3)
{
    private const TensorProto.Types.DataType Float = TensorProto.Types.DataType.Float;
    private const TensorProto.Types.DataType Int64 = TensorProto.Types.DataType.Int64;

    public CaptionScript Script { get; } = script;

    /// <summary>Writes encoder_model.onnx, decoder_model.onnx and, when asked, the with-past and merged decoders into <paramref name="directory"/>.</summary>
    public void SaveAll(string directory, bool withPast = true, bool merged = true)
    {
        Directory.CreateDirectory(directory);
        SaveEncoder(Path.Combine(directory, "encoder_model.onnx"));
        SaveDecoder(Path.Combine(directory, "decoder_model.onnx"));
        if (withPast) SaveDecoderWithPast(Path.Combine(directory, "decoder_with_past_model.onnx"));
        if (merged) SaveDecoderMerged(Path.Combine(directory, "decoder_model_merged.onnx"));
    }

    /// <summary>pixel_values [batch_size, num_channels, height, width] to last_hidden_state [batch_size, 1, hidden] (channel means).</summary>
    public string SaveEncoder(string path)
    {
        var model = new TinyOnnxModel("encoder")
            .FloatInput("pixel_values", "batch_size", "num_channels", "height", "width")
            .FloatOutput("last_hidden_state", "batch_size", "encoder_sequence_length", hiddenSize)
            .Initializer("axis1", [1L], 1)
            .Node("ReduceMean", ["pixel_values"], ["channel_means"], ("axes", new long[] { 2, 3 }), ("keepdims", 0L))
            .Node("Unsqueeze", ["channel_means", "axis1"], ["last_hidden_state"]);
        return model.Save(path);
    }

    /// <summary>The decoder without past: the whole sequence in, logits for every position and the presents out.</summary>
    public string SaveDecoder(string path)
    {
        var model = Begin("decoder");
        FullPrevious(model, "by_previous");
        model.Node("Shape", ["input_ids"], ["ids_shape"])
            .Node("Gather", ["ids_shape", "one"], ["sequence_length"], ("axis", 0L))
            .Node("Range", ["zero", "sequence_length", "one"], ["positions"]);
        Finish(model, pastInputs: false, mergedFlag: false);
        return model.Save(path);
    }

    public string SaveDecoderWithPast(string path)
    {
        var model = Begin("decoder_with_past");
        AddPastInputs(model);
        CachedPrevious(model, "by_previous");
        Finish(model, pastInputs: true, mergedFlag: false);
        return model.Save(path);
    }

    /// <summary>The merged decoder: use_cache_branch picks the previous token from the cache (true) or from input_ids (false), as the real If node picks a branch.</summary>
    public string SaveDecoderMerged(string path)
    {
        var model = Begin("decoder_merged");
        model.Input("use_cache_branch", TensorProto.Types.DataType.Bool, 1);
        AddPastInputs(model);
        CachedPrevious(model, "by_previous_cached");
        FullPrevious(model, "by_previous_full");
        model.Node("Where", ["use_cache_branch", "by_previous_cached", "by_previous_full"], ["by_previous"]);
        Finish(model, pastInputs: true, mergedFlag: true);
        return model.Save(path);
    }

    // Without a cache: previous-token rows are 0 for the first position, then the current rows shifted by one.
    private static void FullPrevious(TinyOnnxModel model, string output) =>
        model.Node("Slice", ["token_rows", "zero1", "minus_one1", "axis1"], ["rows_but_last"])
            .Node("Slice", ["token_rows", "zero1", "one1", "axis1"], ["first_rows"])
            .Node("Mul", ["first_rows", "zero_i64"], ["no_rows"])
            .Node("Concat", ["no_rows", "rows_but_last"], ["previous_rows_full"], ("axis", 1L))
            .Node("Gather", ["previous_table", "previous_rows_full"], [output], ("axis", 0L));

    private TinyOnnxModel Begin(string name)
    {
        var vocabulary = Script.Vocabulary;
        var rows = Script.ConditioningRows();
        var positionTable = new float[Script.Positions * vocabulary];
        Array.Fill(positionTable, Script.Baseline);
        foreach (var ((position, token), logit) in Script.ByPosition) positionTable[(position * vocabulary) + token] = logit;
        var tokenTable = new float[(rows.Count + 1) * vocabulary];
        var previousTable = new float[(rows.Count + 1) * vocabulary];
        foreach (var ((current, token), logit) in Script.AfterToken) tokenTable[(rows[current] * vocabulary) + token] = logit;
        foreach (var ((previous, token), logit) in Script.AfterPrevious) previousTable[(rows[previous] * vocabulary) + token] = logit;
        var rowOfToken = new long[vocabulary];
        foreach (var (token, row) in rows) rowOfToken[token] = row;

        var model = new TinyOnnxModel(name)
            .Input("input_ids", Int64, "batch_size", "decoder_sequence_length")
            .FloatInput("encoder_hidden_states", "batch_size", "encoder_sequence_length", hiddenSize)
            .Initializer("position_table", positionTable, Script.Positions, vocabulary)
            .Initializer("token_table", tokenTable, rows.Count + 1, vocabulary)
            .Initializer("previous_table", previousTable, rows.Count + 1, vocabulary)
            .Initializer("row_of_token", rowOfToken, vocabulary)
            .Initializer("zero", [0L], [])
            .Initializer("one", [1L], [])
            .Initializer("two", [2L], [])
            .Initializer("zero1", [0L], 1)
            .Initializer("one1", [1L], 1)
            .Initializer("minus_one1", [-1L], 1)
            .Initializer("axis1", [1L], 1)
            .Initializer("zero_i64", [0L], 1)
            .Initializer("zero_f", [0f], 1)
            .Initializer("kv_shape", [1L, heads, 1L, headDim], 4)
            .Node("Gather", ["row_of_token", "input_ids"], ["token_rows"], ("axis", 0L))
            .Node("Gather", ["token_table", "token_rows"], ["by_token"], ("axis", 0L));
        return model;
    }

    // With a cache, the previous token is read from the last slot of past_key_values.0.key (a zero slot is
    // put in front so an empty cache yields row 0, as the first position does without a cache).
    private static void CachedPrevious(TinyOnnxModel model, string output)
    {
        model.Node("Shape", ["past_key_values.0.key"], ["past_shape"])
            .Node("Gather", ["past_shape", "two"], ["past_length"], ("axis", 0L))
            .Node("Shape", ["input_ids"], ["ids_shape"])
            .Node("Gather", ["ids_shape", "one"], ["sequence_length"], ("axis", 0L))
            .Node("Add", ["past_length", "sequence_length"], ["total_length"])
            .Node("Range", ["past_length", "total_length", "one"], ["positions"])
            .Node("Cast", ["input_ids"], ["ids_float"], ("to", (long)TensorProto.Types.DataType.Float))
            .Node("Slice", ["ids_float", "zero1", "one1", "axis1"], ["first_id"])
            .Node("Mul", ["first_id", "zero_f"], ["zero_id"])
            .Node("Unsqueeze", ["zero_id", "unsqueeze_axes"], ["zero_slot_small"])
            .Node("Expand", ["zero_slot_small", "kv_shape"], ["zero_slot"])
            .Node("Concat", ["zero_slot", "past_key_values.0.key"], ["padded_past"], ("axis", 2L))
            .Node("Gather", ["padded_past", "past_length"], ["last_slot"], ("axis", 2L))
            .Node("Gather", ["last_slot", "zero"], ["last_slot_head"], ("axis", 1L))
            .Node("Gather", ["last_slot_head", "zero"], ["previous_id_float"], ("axis", 1L))
            .Node("Cast", ["previous_id_float"], ["previous_id"], ("to", (long)TensorProto.Types.DataType.Int64))
            .Node("Unsqueeze", ["previous_id", "axis1"], ["previous_ids"])
            .Node("Gather", ["row_of_token", "previous_ids"], ["previous_rows_cached"], ("axis", 0L))
            .Node("Gather", ["previous_table", "previous_rows_cached"], [output], ("axis", 0L));
    }

    private void AddPastInputs(TinyOnnxModel model)
    {
        for (var i = 0; i < layers; i++)
        {
            model.FloatInput($"past_key_values.{i}.key", "batch_size", heads, "past_decoder_sequence_length", headDim);
            model.FloatInput($"past_key_values.{i}.value", "batch_size", heads, "past_decoder_sequence_length", headDim);
        }
    }

    private void Finish(TinyOnnxModel model, bool pastInputs, bool mergedFlag)
    {
        var presentLength = pastInputs ? "past_decoder_sequence_length + 1" : "decoder_sequence_length";
        model.Initializer("unsqueeze_axes", [1L, 3L], 2)
            .Node("Gather", ["position_table", "positions"], ["by_position"], ("axis", 0L))
            .Node("Add", ["by_token", "by_previous"], ["by_tokens"])
            .Node("Add", ["by_tokens", "by_position"], ["scripted_logits"])
            // The encoder output takes part, as in a real decoder, with weight zero.
            .Node("ReduceSum", ["encoder_hidden_states"], ["encoder_sum"], ("keepdims", 0L))
            .Node("Mul", ["encoder_sum", "zero_f"], ["encoder_term"]);
        var logitsInput = "scripted_logits";
        if (mergedFlag)
        {
            model.Node("Cast", ["use_cache_branch"], ["flag_float"], ("to", (long)TensorProto.Types.DataType.Float))
                .Node("Mul", ["flag_float", "zero_f"], ["flag_term"])
                .Node("Add", ["scripted_logits", "flag_term"], ["flagged_logits"]);
            logitsInput = "flagged_logits";
        }
        model.Node("Add", [logitsInput, "encoder_term"], ["logits"])
            .FloatOutput("logits", "batch_size", "decoder_sequence_length", Script.Vocabulary);

        // Each new cache slot holds the token id, so the next step can read it back.
        if (!pastInputs) model.Node("Cast", ["input_ids"], ["ids_float"], ("to", (long)TensorProto.Types.DataType.Float));
        model.Node("Unsqueeze", ["ids_float", "unsqueeze_axes"], ["ids_slots"])
            .Node("Expand", ["ids_slots", "kv_shape"], ["new_slots"]);
        for (var i = 0; i < layers; i++)
        {
            foreach (var part in new[] { "key", "value" })
            {
                var output = $"present.{i}.{part}";
                if (pastInputs) model.Node("Concat", [$"past_key_values.{i}.{part}", "new_slots"], [output], ("axis", 2L));
                else model.Node("Identity", ["new_slots"], [output]);
                model.FloatOutput(output, "batch_size", heads, presentLength, headDim);
            }
        }
    }
}
