using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML.OnnxRuntime;
using Microsoft.SemanticKernel;
using VisionAgent.Abstractions;
using VisionAgent.Imaging;
using VisionAgent.Imaging.Annotation;
using VisionAgent.Imaging.Tensors;
using VisionAgent.Onnx;

namespace VisionAgent.Plugins.Detect;

/// <summary>The detect tool the agent calls.</summary>
public sealed class DetectPlugin(ExpertContext context)
{
    private const int ListedInObservation = 8;
    private readonly ConcurrentDictionary<string, YoloModel> _models = new(StringComparer.Ordinal);

    [KernelFunction("detect")]
    [ExpertData(typeof(DetectionReport))]
    [Description("Finds objects in an image: labelled boxes, counts per class, a reference per object (img1#det1) usable as a box prompt by segment and edit, and an annotated image.")]
    public async Task<ExpertResult> DetectAsync(
        [Description("Image handle, e.g. img1")] string image,
        [Description("Comma-separated class names to keep, e.g. person,dog; empty keeps every class")] string classes = "",
        [Description("Minimum score 0..1; 0 uses the configured default (0.25)")] float confidence = 0,
        [Description("Overlap (IoU 0..1) above which boxes of one class are merged; 0 uses the configured default (0.45)")] float iou = 0,
        [Description("Most boxes to return; 0 uses the configured default (100)")] int max_boxes = 0,
        [Description("Draw the boxes on a new image")] bool annotate = true,
        CancellationToken cancellationToken = default)
    {
        var record = context.Images.Get(image);
        var options = new DetectionOptions
        {
            Confidence = Pick(confidence, "confidence", 0.25f),
            Iou = Pick(iou, "iou", 0.45f),
            MaxBoxes = max_boxes > 0 ? max_boxes : context.SettingInt("max_boxes", min: 1) ?? 100,
        };
        var weights = context.Setting("weights") is { Length: > 0 } w ? w : "model";
        var modelPath = await context.Models.GetPathAsync(context.Manifest.Name, weights, cancellationToken);
        var model = _models.GetOrAdd(modelPath, path => YoloModel.Describe(
            context.GetRequiredService<OnnxSessionPool>().Get(path), path, context.SettingInt("input_size", min: 1) ?? 640, context.Setting("labels_file")));
        var wanted = ParseClasses(classes, model.Names);
        options = options with { AllowedClasses = wanted.Allowed };

        var clock = Stopwatch.StartNew();
        using var pixels = context.GetRequiredService<ImageLoader>().LoadRgb(record.Path, cancellationToken);
        var tensor = new float[3 * model.InputWidth * model.InputHeight];
        var geometry = LetterboxTensor.Fill(pixels, model.InputWidth, model.InputHeight, tensor);
        var preprocessMs = clock.Elapsed.TotalMilliseconds;

        clock.Restart();
        using var input = OnnxTensors.FromArray(tensor, 1, 3, model.InputHeight, model.InputWidth);
        using var outputs = OnnxTensors.Run(model.Session, new Dictionary<string, OrtValue> { [model.InputName] = input }, [model.OutputName], cancellationToken);
        var inferenceMs = clock.Elapsed.TotalMilliseconds;

        clock.Restart();
        var shape = outputs[0].GetTensorTypeAndShape().Shape;
        if (shape.Length != 3 || shape[0] != 1)
            throw new BadInputException($"{Path.GetFileName(modelPath)} is not a YOLO detector: output '{model.OutputName}' has shape [{string.Join(",", shape)}], not [1,A,B]");
        var layout = LayoutFor(shape[1], shape[2], model.Names.Count);
        var raw = YoloPostprocessor.Run(outputs[0].GetTensorDataAsSpan<float>(), layout, (int)shape[1], (int)shape[2], options, geometry);
        var detections = Register(record.Handle, raw, model.Names, pixels.Width, pixels.Height);
        var postprocessMs = clock.Elapsed.TotalMilliseconds;

        clock.Restart();
        ImageRecord? annotated = null;
        if (annotate && (context.SettingBool("annotate") ?? true) && detections.Count > 0)
        {
            var path = context.Images.NewOutputPath(record.Handle, "annotated");
            // Weakest first, so the best detection's label ends on top where boxes coincide.
            var boxes = Enumerable.Reverse(detections).Select(d => new AnnotationBox(d.Box, string.Create(CultureInfo.InvariantCulture, $"{d.Label} {d.Score:0.00}"), d.ClassId)).ToList();
            BoxAnnotator.DrawToPng(pixels, boxes, path);
            annotated = context.Images.AddProduced(path, record.Handle, "detect", "annotated", new Dictionary<string, string>
            {
                ["confidence"] = options.Confidence.ToString(CultureInfo.InvariantCulture),
                ["iou"] = options.Iou.ToString(CultureInfo.InvariantCulture),
                ["classes"] = string.Join(",", wanted.Names),
            });
        }
        var annotateMs = clock.Elapsed.TotalMilliseconds;

        var counts = detections.GroupBy(d => d.Label)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count());
        var report = new DetectionReport
        {
            Image = record.Handle,
            Width = pixels.Width,
            Height = pixels.Height,
            Layout = layout == YoloLayout.V8 ? "v8" : "v5",
            InputWidth = model.InputWidth,
            InputHeight = model.InputHeight,
            Confidence = options.Confidence,
            Iou = options.Iou,
            Classes = wanted.Names,
            Detections = detections,
            Counts = counts,
            Annotated = annotated?.Handle,
            Timings = new DetectionTimings(preprocessMs, inferenceMs, postprocessMs, annotateMs),
        };
        return new ExpertResult
        {
            Observation = Observe(record.Handle, report),
            Data = report,
            Images = annotated is null ? [] : [annotated],
            // Labels read from a downloaded model file are third-party text.
            ContainsUntrustedText = model.Names.FromModelFile && detections.Count > 0,
        };
    }

    private List<Detection> Register(string handle, IReadOnlyList<RawDetection> raw, YoloClassNames names, int width, int height)
    {
        var detections = new List<Detection>(raw.Count);
        foreach (var item in raw)
        {
            var label = names[item.ClassId];
            var region = context.Images.AddRegion(handle, label, item.Score, item.Box);
            var fraction = new FractionBox(item.Box.X1 / width, item.Box.Y1 / height, item.Box.X2 / width, item.Box.Y2 / height);
            detections.Add(new Detection(region.Reference, label, item.ClassId, item.Score, item.Box, fraction));
        }
        return detections;
    }

    private static string Observe(string handle, DetectionReport report)
    {
        if (report.Detections.Count == 0)
        {
            var filter = report.Classes.Count > 0 ? $" of {string.Join(", ", report.Classes)}" : "";
            return string.Create(CultureInfo.InvariantCulture, $"no objects{filter} found in {handle} above confidence {report.Confidence:0.##}");
        }
        var text = new StringBuilder();
        text.AppendJoin(", ", report.Counts.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Value} {c.Key}")));
        foreach (var d in report.Detections.Take(ListedInObservation))
            text.Append(CultureInfo.InvariantCulture, $"; {d.Reference} {d.Label} {d.Score:0.00} at {d.Box}");
        if (report.Detections.Count > ListedInObservation)
            text.Append(CultureInfo.InvariantCulture, $"; +{report.Detections.Count - ListedInObservation} more");
        if (report.Annotated is not null) text.Append(CultureInfo.InvariantCulture, $"; annotated image {report.Annotated}");
        return text.ToString();
    }

    private YoloLayout LayoutFor(long rows, long columns, int knownClasses) =>
        (context.Setting("layout") ?? "auto").Trim().ToLowerInvariant() switch
        {
            "" or "auto" => YoloOutputDecoder.InferLayout(rows, columns, knownClasses),
            "v8" or "yolov8" or "yolo11" => YoloLayout.V8,
            "v5" or "yolov5" => YoloLayout.V5,
            var other => throw new BadInputException($"detect setting layout '{other}' is not auto, v8 or v5"),
        };

    private static (bool[]? Allowed, IReadOnlyList<string> Names) ParseClasses(string classes, YoloClassNames names)
    {
        var requested = classes.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (requested.Length == 0) return (null, []);
        var ids = new List<int>();
        foreach (var name in requested)
        {
            if (!names.TryFind(name, out var id) || (names.Count > 0 && id >= names.Count))
            {
                var known = names.Count == 0 ? "this model has no class names: use class ids such as 0,2"
                    : $"known classes: {string.Join(", ", names.Names.Take(20))}{(names.Count > 20 ? $", ... ({names.Count})" : "")}";
                throw new BadInputException($"unknown class '{name}'; {known}");
            }
            ids.Add(id);
        }
        var allowed = new bool[Math.Max(names.Count, ids.Max() + 1)];
        foreach (var id in ids) allowed[id] = true;
        return (allowed, ids.Distinct().Select(id => names[id]).ToList());
    }

    private float Pick(float argument, string key, float fallback)
    {
        var value = argument > 0 ? argument : context.SettingFloat(key, 0, 1) ?? fallback;
        if (!(value > 0 && value <= 1))
            throw new BadInputException($"detect {key} must be between 0 and 1, not {value.ToString(CultureInfo.InvariantCulture)}");
        return value;
    }
}
