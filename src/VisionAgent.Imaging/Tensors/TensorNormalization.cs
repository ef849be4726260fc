namespace VisionAgent.Imaging.Tensors;

/// <summary>The order of colour planes in a [C,H,W] tensor.</summary>
public enum ChannelOrder
{
    Rgb,

    /// <summary>OpenCV-trained models (PaddleOCR, for one) expect blue first.</summary>
    Bgr,
}

/// <summary>
/// How 0..255 pixel values become tensor values: <c>(v / 255 - mean[p]) / std[p]</c> for plane p, planes in
/// <see cref="Order"/>. Mean and std are given per plane, in the tensor's order.
/// </summary>
public readonly record struct TensorNormalization(ChannelOrder Order, float Mean0, float Mean1, float Mean2, float Std0, float Std1, float Std2)
{
    /// <summary>ImageNet mean/std as PaddleOCR's detector applies them (to planes in BGR order).</summary>
    public static TensorNormalization PaddleDetection { get; } = new(ChannelOrder.Bgr, 0.485f, 0.456f, 0.406f, 0.229f, 0.224f, 0.225f);

    /// <summary>(v / 255 - 0.5) / 0.5 in BGR order, as PaddleOCR's recogniser and direction classifier expect.</summary>
    public static TensorNormalization PaddleRecognition { get; } = new(ChannelOrder.Bgr, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f);

    /// <summary>The scale applied to a 0..255 value of plane <paramref name="plane"/>.</summary>
    public float Scale(int plane) => 1f / (255f * plane switch { 0 => Std0, 1 => Std1, _ => Std2 });

    public float Bias(int plane) => -(plane switch { 0 => Mean0, 1 => Mean1, _ => Mean2 }) / (plane switch { 0 => Std0, 1 => Std1, _ => Std2 });

    /// <summary>The RGB byte offset (0 = R) that feeds plane <paramref name="plane"/>.</summary>
    public int SourceChannel(int plane) => Order == ChannelOrder.Rgb ? plane : 2 - plane;
}
