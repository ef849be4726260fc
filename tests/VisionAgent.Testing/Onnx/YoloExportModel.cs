using System.Globalization;
using System.Text;

namespace VisionAgent.Testing.Onnx;

/// <summary>
/// Writes ONNX models with the tensor names, shapes and metadata of Ultralytics exports (YOLOv8/YOLO11:
/// <c>images</c> [1,3,H,W] to <c>output0</c> [1,4+C,N]; YOLOv5: <c>output0</c> [1,N,5+C]) whose output is a
/// known constant, so a detector's decoding can be asserted exactly. Fill the output with <see cref="SetV8"/> or
/// <see cref="SetV5"/>.
/// </summary>
public sealed class YoloExportModel
{
    /// <summary>The 80 COCO class names in the order the stock Ultralytics weights use.</summary>
    public static readonly IReadOnlyList<string> CocoNames =
    [
        "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat", "traffic light",
        "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat", "dog", "horse", "sheep", "cow",
        "elephant", "bear", "zebra", "giraffe", "backpack", "umbrella", "handbag", "tie", "suitcase", "frisbee",
        "skis", "snowboard", "sports ball", "kite", "baseball bat", "baseball glove", "skateboard", "surfboard", "tennis racket", "bottle",
        "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple", "sandwich", "orange",
        "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair", "couch", "potted plant", "bed",
        "dining table", "toilet", "tv", "laptop", "mouse", "remote", "keyboard", "cell phone", "microwave", "oven",
        "toaster", "sink", "refrigerator", "book", "clock", "vase", "scissors", "teddy bear", "hair drier", "toothbrush",
    ];

    private YoloExportModel(bool v5, int classes, int anchors, int inputHeight, int inputWidth)
    {
        IsV5 = v5;
        Classes = classes;
        Anchors = anchors;
        InputHeight = inputHeight;
        InputWidth = inputWidth;
        Output = new float[checked(anchors * (classes + (v5 ? 5 : 4)))];
    }

    public bool IsV5 { get; }
    public int Classes { get; }
    public int Anchors { get; }
    public int InputHeight { get; }
    public int InputWidth { get; }

    /// <summary>The constant output, laid out as the export lays it out (without the leading batch dimension).</summary>
    public float[] Output { get; }

    /// <summary>The names metadata; null writes none.</summary>
    public IReadOnlyList<string>? Names { get; set; } = CocoNames;

    /// <summary>Leaves the input's height and width symbolic, as <c>dynamic=True</c> exports do.</summary>
    public bool DynamicInput { get; set; }

    /// <summary>An 8400-anchor YOLOv8 export at 640 (the stock yolov8n layout: [1, 84, 8400]).</summary>
    public static YoloExportModel V8(int classes = 80, int anchors = 8400, int inputSize = 640) => new(false, classes, anchors, inputSize, inputSize);

    /// <summary>A 25200-anchor YOLOv5 export at 640 ([1, 25200, 85]).</summary>
    public static YoloExportModel V5(int classes = 80, int anchors = 25200, int inputSize = 640) => new(true, classes, anchors, inputSize, inputSize);

    /// <summary>Sets anchor <paramref name="anchor"/> of a v8 output: a centre box in input pixels and one class score.</summary>
    public YoloExportModel SetV8(int anchor, float cx, float cy, float w, float h, int classId, float score)
    {
        if (IsV5) throw new InvalidOperationException("this is a YOLOv5 layout");
        Output[anchor] = cx;
        Output[Anchors + anchor] = cy;
        Output[(2 * Anchors) + anchor] = w;
        Output[(3 * Anchors) + anchor] = h;
        Output[((4 + classId) * Anchors) + anchor] = score;
        return this;
    }

    /// <summary>Sets row <paramref name="anchor"/> of a v5 output: centre box, objectness and one class probability.</summary>
    public YoloExportModel SetV5(int anchor, float cx, float cy, float w, float h, float objectness, int classId, float probability)
    {
        if (!IsV5) throw new InvalidOperationException("this is a YOLOv8 layout");
        var row = anchor * (5 + Classes);
        Output[row] = cx;
        Output[row + 1] = cy;
        Output[row + 2] = w;
        Output[row + 3] = h;
        Output[row + 4] = objectness;
        Output[row + 5 + classId] = probability;
        return this;
    }

    /// <summary>The names metadata exactly as Ultralytics writes it: <c>{0: 'person', 1: 'bicycle'}</c>.</summary>
    public static string NamesMetadata(IReadOnlyList<string> names)
    {
        var text = new StringBuilder("{");
        for (var i = 0; i < names.Count; i++)
        {
            if (i > 0) text.Append(", ");
            // Python's repr switches to double quotes for names holding an apostrophe.
            var quote = names[i].Contains('\'', StringComparison.Ordinal) ? '"' : '\'';
            text.Append(CultureInfo.InvariantCulture, $"{i}: {quote}{names[i]}{quote}");
        }
        return text.Append('}').ToString();
    }

    public string Save(string path)
    {
        long[] outputDims = IsV5 ? [1, Anchors, 5 + Classes] : [1, 4 + Classes, Anchors];
        object[] inputDims = DynamicInput ? [1, 3, "height", "width"] : [1, 3, InputHeight, InputWidth];
        var model = new TinyOnnxModel("main_graph")
            .Input("images", global::Onnx.TensorProto.Types.DataType.Float, inputDims)
            .FloatOutput("output0", outputDims.Select(d => (object)d).ToArray())
            .Node("Constant", [], ["predictions"], ("value", TinyOnnxModel.FloatTensor(Output, outputDims)))
            // Ties the output to the input so the graph reads it, as a real network does; the product is zero.
            .Node("ReduceMean", ["images"], ["image_mean"], ("axes", new long[] { 1, 2, 3 }), ("keepdims", 0L))
            .Initializer("zero", [0f], 1)
            .Node("Mul", ["image_mean", "zero"], ["nothing"])
            .Node("Add", ["predictions", "nothing"], ["output0"])
            .Metadata("description", "Ultralytics YOLOv8n model trained on coco.yaml")
            .Metadata("author", "Ultralytics")
            .Metadata("license", "AGPL-3.0 License (https://ultralytics.com/license)")
            .Metadata("stride", "32")
            .Metadata("task", "detect")
            .Metadata("batch", "1")
            .Metadata("imgsz", string.Create(CultureInfo.InvariantCulture, $"[{InputHeight}, {InputWidth}]"));
        if (Names is not null) model.Metadata("names", NamesMetadata(Names));
        return model.Save(path);
    }
}
