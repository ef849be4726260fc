using Onnx;
using VisionAgent.Testing.Onnx;

namespace VisionAgent.Plugins.Segment.Tests;

/// <summary>Tiny ONNX graphs with the real exports' input and output names and layouts, whose outputs are known functions of their inputs.</summary>
internal static class TinySegmentModels
{
    private const TensorProto.Types.DataType Int64 = TensorProto.Types.DataType.Int64;

    /// <summary>
    /// ISNet's signature (input [1,3,1024,1024] -> output [1,1,1024,1024] plus a side output): the map is the red channel
    /// undone from (v-128)/256 and divided by 255, so a pixel is salient when its red value is above 127.5.
    /// </summary>
    public static string Isnet(string path) => new TinyOnnxModel("isnet")
        .FloatInput("input", 1, 3, 1024, 1024)
        .FloatOutput("output", 1, 1, 1024, 1024)
        .FloatOutput("d1", 1, 1, 1024, 1024)
        .Initializer("starts", [0L], 1)
        .Initializer("ends", [1L], 1)
        .Initializer("axes", [1L], 1)
        .Initializer("scale", [256f / 255f], 1)
        .Initializer("offset", [128f / 255f], 1)
        .Node("Slice", ["input", "starts", "ends", "axes"], ["red"])
        .Node("Mul", ["red", "scale"], ["scaled"])
        .Node("Add", ["scaled", "offset"], ["output"])
        .Node("Identity", ["red"], ["d1"])
        .Save(path);

    /// <summary>
    /// The official encoder signature (x [1,3,1024,1024] -> image_embeddings [1,256,64,64]): channels 0-2 are the 16x16
    /// block means of the normalised input, the rest zeros.
    /// </summary>
    public static string NchwEncoder(string path) => new TinyOnnxModel("sam_encoder")
        .FloatInput("x", 1, 3, 1024, 1024)
        .FloatOutput("image_embeddings", 1, 256, 64, 64)
        .Initializer("pads", [0L, 0, 0, 0, 0, 253, 0, 0], 8)
        .Node("AveragePool", ["x"], ["pooled"], ("kernel_shape", new long[] { 16, 16 }), ("strides", new long[] { 16, 16 }))
        .Node("Pad", ["pooled", "pads"], ["image_embeddings"])
        .Save(path);

    /// <summary>MobileSAM's encoder signature (input_image [1024,1024,3] RGB 0..255 -> image_embeddings [1,256,64,64]).</summary>
    public static string HwcEncoder(string path) => new TinyOnnxModel("mobile_sam_encoder")
        .FloatInput("input_image", 1024, 1024, 3)
        .FloatOutput("image_embeddings", 1, 256, 64, 64)
        .Initializer("zero", [0L], 1)
        .Initializer("pads", [0L, 0, 0, 0, 0, 253, 0, 0], 8)
        .Node("Transpose", ["input_image"], ["chw"], ("perm", new long[] { 2, 0, 1 }))
        .Node("Unsqueeze", ["chw", "zero"], ["nchw"])
        .Node("AveragePool", ["nchw"], ["pooled"], ("kernel_shape", new long[] { 16, 16 }), ("strides", new long[] { 16, 16 }))
        .Node("Pad", ["pooled", "pads"], ["image_embeddings"])
        .Save(path);

    /// <summary>
    /// The official decoder signature whose iou_predictions echo the prompt: [x1,y1,...,xN,yN,label1,...,labelN]
    /// (K = 3N), with K masks of +1 logits at orig_im_size [H,W].
    /// </summary>
    public static string EchoDecoder(string path) => Decoder("sam_decoder_echo")
        .Initializer("flat", [1L, -1], 2)
        .Node("Reshape", ["point_coords", "flat"], ["coords"])
        .Node("Concat", ["coords", "point_labels"], ["iou_predictions"], ("axis", 1L))
        .Node("Shape", ["iou_predictions"], ["batch_and_k"])
        .Node("Cast", ["orig_im_size"], ["size"], ("to", (long)Int64))
        .Node("Concat", ["batch_and_k", "size"], ["mask_shape"], ("axis", 0L))
        .Node("ConstantOfShape", ["mask_shape"], ["masks"], ("value", TinyOnnxModel.FloatTensor([1f], 1)))
        .Initializer("low_res_shape", [1L, 1, 256, 256], 4)
        .Node("ConstantOfShape", ["low_res_shape"], ["low_res_masks"], ("value", TinyOnnxModel.FloatTensor([0f], 1)))
        .Save(path);

    /// <summary>
    /// The official decoder signature with three masks whose logit at column x is x + bias (biases +1000, -100, -1000)
    /// and predicted IoUs 0.1, 0.8, 0.3: choosing the best mask gives the columns right of x = 100 (at threshold 0.5).
    /// </summary>
    public static string RampDecoder(string path) => Decoder("sam_decoder_ramp")
        .Initializer("k", [1L, 3], 2)
        .Initializer("width_index", [1L])
        .Initializer("zero", [0f])
        .Initializer("one", [1f])
        .Initializer("row", [1L, 1, 1, -1], 4)
        .Initializer("bias", [1000f, -100f, -1000f], 1, 3, 1, 1)
        .Initializer("ious", [0.1f, 0.8f, 0.3f], 1, 3)
        .Node("Cast", ["orig_im_size"], ["size"], ("to", (long)Int64))
        .Node("Concat", ["k", "size"], ["mask_shape"], ("axis", 0L))
        .Node("ConstantOfShape", ["mask_shape"], ["zeros"], ("value", TinyOnnxModel.FloatTensor([0f], 1)))
        .Node("Gather", ["orig_im_size", "width_index"], ["width"], ("axis", 0L))
        .Node("Range", ["zero", "width", "one"], ["columns"])
        .Node("Reshape", ["columns", "row"], ["ramp"])
        .Node("Add", ["zeros", "ramp"], ["ramped"])
        .Node("Add", ["ramped", "bias"], ["masks"])
        .Node("Identity", ["ious"], ["iou_predictions"])
        .Initializer("low_res_shape", [1L, 3, 256, 256], 4)
        .Node("ConstantOfShape", ["low_res_shape"], ["low_res_masks"], ("value", TinyOnnxModel.FloatTensor([0f], 1)))
        .Save(path);

    private static TinyOnnxModel Decoder(string name) => new TinyOnnxModel(name)
        .FloatInput("image_embeddings", 1, 256, 64, 64)
        .FloatInput("point_coords", 1, "num_points", 2)
        .FloatInput("point_labels", 1, "num_points")
        .FloatInput("mask_input", 1, 1, 256, 256)
        .FloatInput("has_mask_input", 1)
        .FloatInput("orig_im_size", 2)
        .FloatOutput("masks", "batch", "k", "height", "width")
        .FloatOutput("iou_predictions", "batch", "k")
        .FloatOutput("low_res_masks", "batch", "k", 256, 256);
}
