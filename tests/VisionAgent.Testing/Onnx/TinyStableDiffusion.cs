using System.Text.Json;
using Onnx;

namespace VisionAgent.Testing.Onnx;

/// <summary>
/// Tiny stand-ins for the four ONNX components of a diffusers Stable Diffusion inpainting export, with the real
/// exports' file layout, input/output names and layouts, and simple known arithmetic:
/// <list type="bullet">
/// <item>text_encoder: input_ids int32 [B,77] -> last_hidden_state [B,77,D] = id · 1e-6 in every channel;</item>
/// <item>unet: sample [B,9,h,w], timestep, encoder_hidden_states [B,77,D] -> out_sample [B,4,h,w]
///   = 0.9 · sample[:, 0:4] + 0.1 · sample[:, 4:5] + mean(encoder_hidden_states[b]);</item>
/// <item>vae_encoder: sample [B,3,H,W] -> latent_sample [B,4,H/8,W/8]: 8x8 average pool, then channels (mean, R, G, B);</item>
/// <item>vae_decoder: latent_sample [B,4,h,w] -> sample [B,3,8h,8w]: channels 1..3 times 0.1, nearest upsampling by 8.</item>
/// </list>
/// </summary>
public static class TinyStableDiffusion
{
    public const int HiddenSize = 768;

    /// <summary>The paths of a written tiny export.</summary>
    public sealed record Export(string Root, string TextEncoder, string Unet, string VaeEncoder, string VaeDecoder, string Vocab, string Merges);

    /// <summary>Writes the four models and a small CLIP tokenizer under <paramref name="root"/> in the diffusers layout.</summary>
    public static Export Write(string root, TensorProto.Types.DataType timestepType = TensorProto.Types.DataType.Float)
    {
        var export = new Export(
            root,
            TextEncoder().Save(Path.Combine(root, "text_encoder", "model.onnx")),
            Unet(timestepType).Save(Path.Combine(root, "unet", "model.onnx")),
            VaeEncoder().Save(Path.Combine(root, "vae_encoder", "model.onnx")),
            VaeDecoder().Save(Path.Combine(root, "vae_decoder", "model.onnx")),
            Path.Combine(root, "tokenizer", "vocab.json"),
            Path.Combine(root, "tokenizer", "merges.txt"));
        WriteTokenizer(export.Vocab, export.Merges);
        return export;
    }

    public static TinyOnnxModel TextEncoder() => new TinyOnnxModel("text_encoder")
        .Input("input_ids", TensorProto.Types.DataType.Int32, "batch", 77)
        .FloatOutput("last_hidden_state", "batch", 77, HiddenSize)
        .Initializer("axes2", [2L], 1)
        .Initializer("channel_scale", Enumerable.Repeat(1e-6f, HiddenSize).ToArray(), HiddenSize)
        .Node("Cast", ["input_ids"], ["ids_float"], ("to", (long)TensorProto.Types.DataType.Float))
        .Node("Unsqueeze", ["ids_float", "axes2"], ["ids_column"])
        .Node("Mul", ["ids_column", "channel_scale"], ["last_hidden_state"]);

    /// <summary>The UNet; <paramref name="batch"/> may fix the batch size (1 or 2) to prove how the pipeline batches.</summary>
    public static TinyOnnxModel Unet(TensorProto.Types.DataType timestepType = TensorProto.Types.DataType.Float, object? batch = null) => new TinyOnnxModel("unet")
        .FloatInput("sample", batch ?? "batch", 9, "height", "width")
        .Input("timestep", timestepType, "steps")
        .FloatInput("encoder_hidden_states", batch ?? "batch", 77, HiddenSize)
        .FloatOutput("out_sample", batch ?? "batch", 4, "height", "width")
        .Initializer("latent_starts", [0L], 1)
        .Initializer("latent_ends", [4L], 1)
        .Initializer("mask_ends", [5L], 1)
        .Initializer("channel_axis", [1L], 1)
        .Initializer("latent_weight", [0.9f], 1)
        .Initializer("mask_weight", [0.1f], 1)
        .Initializer("text_axes", [1L, 2L], 2)
        .Initializer("broadcast_axes", [1L, 2L, 3L], 3)
        .Node("Slice", ["sample", "latent_starts", "latent_ends", "channel_axis"], ["latents"])
        .Node("Slice", ["sample", "latent_ends", "mask_ends", "channel_axis"], ["mask"])
        .Node("Mul", ["latents", "latent_weight"], ["latent_term"])
        .Node("Mul", ["mask", "mask_weight"], ["mask_term"])
        .Node("ReduceMean", ["encoder_hidden_states"], ["text_mean"], ("axes", new long[] { 1, 2 }), ("keepdims", 0L))
        .Node("Unsqueeze", ["text_mean", "broadcast_axes"], ["text_term"])
        .Node("Add", ["latent_term", "mask_term"], ["image_terms"])
        .Node("Add", ["image_terms", "text_term"], ["out_sample"]);

    /// <summary>The same UNet as an fp16 export declares it: float16 inputs, timestep and output, float32 inside.</summary>
    public static TinyOnnxModel UnetFloat16() => new TinyOnnxModel("unet")
        .Input("sample", TensorProto.Types.DataType.Float16, "batch", 9, "height", "width")
        .Input("timestep", TensorProto.Types.DataType.Float16, "steps")
        .Input("encoder_hidden_states", TensorProto.Types.DataType.Float16, "batch", 77, HiddenSize)
        .Output("out_sample", TensorProto.Types.DataType.Float16, "batch", 4, "height", "width")
        .Initializer("latent_starts", [0L], 1)
        .Initializer("latent_ends", [4L], 1)
        .Initializer("mask_ends", [5L], 1)
        .Initializer("channel_axis", [1L], 1)
        .Initializer("latent_weight", [0.9f], 1)
        .Initializer("mask_weight", [0.1f], 1)
        .Initializer("broadcast_axes", [1L, 2L, 3L], 3)
        .Node("Cast", ["sample"], ["sample32"], ("to", (long)TensorProto.Types.DataType.Float))
        .Node("Cast", ["encoder_hidden_states"], ["hidden32"], ("to", (long)TensorProto.Types.DataType.Float))
        .Node("Slice", ["sample32", "latent_starts", "latent_ends", "channel_axis"], ["latents"])
        .Node("Slice", ["sample32", "latent_ends", "mask_ends", "channel_axis"], ["mask"])
        .Node("Mul", ["latents", "latent_weight"], ["latent_term"])
        .Node("Mul", ["mask", "mask_weight"], ["mask_term"])
        .Node("ReduceMean", ["hidden32"], ["text_mean"], ("axes", new long[] { 1, 2 }), ("keepdims", 0L))
        .Node("Unsqueeze", ["text_mean", "broadcast_axes"], ["text_term"])
        .Node("Add", ["latent_term", "mask_term"], ["image_terms"])
        .Node("Add", ["image_terms", "text_term"], ["out32"])
        .Node("Cast", ["out32"], ["out_sample"], ("to", (long)TensorProto.Types.DataType.Float16));

    public static TinyOnnxModel VaeEncoder() => new TinyOnnxModel("vae_encoder")
        .FloatInput("sample", "batch", 3, "height", "width")
        .FloatOutput("latent_sample", "batch", 4, "latent_height", "latent_width")
        .Initializer("weights", [1f / 3, 1f / 3, 1f / 3, 1, 0, 0, 0, 1, 0, 0, 0, 1], 4, 3, 1, 1)
        .Node("AveragePool", ["sample"], ["pooled"], ("kernel_shape", new long[] { 8, 8 }), ("strides", new long[] { 8, 8 }))
        .Node("Conv", ["pooled", "weights"], ["latent_sample"]);

    public static TinyOnnxModel VaeDecoder() => new TinyOnnxModel("vae_decoder")
        .FloatInput("latent_sample", "batch", 4, "latent_height", "latent_width")
        .FloatOutput("sample", "batch", 3, "height", "width")
        .Initializer("weights", [0, 0.1f, 0, 0, 0, 0, 0.1f, 0, 0, 0, 0, 0.1f], 3, 4, 1, 1)
        .Initializer("scales", [1f, 1f, 8f, 8f], 4)
        .Node("Conv", ["latent_sample", "weights"], ["colours"])
        .Node("Resize", ["colours", "", "scales"], ["sample"], ("mode", "nearest"));

    /// <summary>
    /// A small CLIP-style vocabulary and merge list: "a", "cat", "dog" as whole words, the byte-level letters
    /// with and without the end-of-word suffix, and the start/end tokens at their real ids.
    /// </summary>
    public static void WriteTokenizer(string vocabPath, string mergesPath)
    {
        var vocab = new Dictionary<string, int>();
        foreach (var letter in "abcdefghijklmnopqrstuvwxyz")
        {
            vocab[letter.ToString()] = vocab.Count;
            vocab[letter + "</w>"] = vocab.Count;
        }
        foreach (var token in new[] { "ca", "cat</w>", "do", "dog</w>", "!</w>" })
            vocab[token] = vocab.Count;
        vocab["<|startoftext|>"] = 49406;
        vocab["<|endoftext|>"] = 49407;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(vocabPath))!);
        File.WriteAllText(vocabPath, JsonSerializer.Serialize(vocab));
        File.WriteAllLines(mergesPath, ["#version: 0.2", "c a", "ca t</w>", "d o", "do g</w>"]);
    }
}
