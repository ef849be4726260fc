using System.Buffers;
using System.Numerics;
using Microsoft.ML.OnnxRuntime;
using VisionAgent.Abstractions;
using VisionAgent.Imaging.Tensors;
using VisionAgent.Onnx;

namespace VisionAgent.Plugins.Ocr;

/// <summary>The model files the pipeline runs.</summary>
public sealed record OcrModelPaths(string Detector, string Classifier, string Recognizer, string Keys);

/// <summary>
/// PP-OCRv4 on ONNX Runtime: detection (DB), direction classification and recognition (CTC). Stateless
/// apart from the shared sessions, so one instance serves concurrent calls.
/// </summary>
public sealed class OcrPipeline
{
    private const int LineHeight = 48;
    private const int ClassifierWidth = 192;
    private const int MaxLineWidth = 48 * 40;
    private readonly InferenceSession _detector;
    private readonly InferenceSession _classifier;
    private readonly InferenceSession _recognizer;
    private readonly CtcDecoder _decoder;
    private readonly string _detInput;
    private readonly string _detOutput;
    private readonly string _clsInput;
    private readonly string _clsOutput;
    private readonly string _recInput;
    private readonly string _recOutput;

    public OcrPipeline(InferenceSession detector, InferenceSession classifier, InferenceSession recognizer, CtcDecoder decoder, OcrOptions options)
    {
        _detector = detector;
        _classifier = classifier;
        _recognizer = recognizer;
        _decoder = decoder;
        Options = options.RecBatch > 0 ? options : options with { RecBatch = 1 };
        (_detInput, _detOutput) = (detector.InputNames[0], detector.OutputNames[0]);
        (_clsInput, _clsOutput) = (classifier.InputNames[0], classifier.OutputNames[0]);
        (_recInput, _recOutput) = (recognizer.InputNames[0], recognizer.OutputNames[0]);
    }

    public OcrOptions Options { get; }

    public static OcrPipeline Create(OnnxSessionPool sessions, OcrModelPaths paths, OcrOptions options)
    {
        var detector = sessions.Get(paths.Detector);
        var classifier = sessions.Get(paths.Classifier);
        var recognizer = sessions.Get(paths.Recognizer);
        if (options.RecBatch == 0) options = options with { RecBatch = sessions.ActiveDevice == "cuda" ? 8 : 1 };
        return new(detector, classifier, recognizer, CtcDecoder.FromFile(paths.Keys, options.SpaceThreshold), options);
    }

    /// <summary>Detection, direction classification and recognition; lines in reading order, below-threshold lines dropped.</summary>
    public IReadOnlyList<OcrLine> Read(RgbPixels image, float minConfidence, CancellationToken cancellationToken)
    {
        var boxes = Detect(image, cancellationToken);
        var lines = Recognize(image, boxes.Select(b => b.Quad).ToList(), cancellationToken);
        return ReadingOrder.Sort(lines.Where(l => l.Text.Trim().Length > 0 && l.Confidence >= minConfidence).ToList());
    }

    /// <summary>Runs the detector on the image scaled so its longer side is at most the limit, both sides multiples of 32.</summary>
    public List<TextBox> Detect(RgbPixels image, CancellationToken cancellationToken)
    {
        var scale = MathF.Min(1f, (float)Options.DetLimitSide / Math.Max(image.Width, image.Height));
        var width = Math.Max(32, (int)MathF.Round(image.Width * scale / 32) * 32);
        var height = Math.Max(32, (int)MathF.Round(image.Height * scale / 32) * 32);
        var length = 3 * width * height;
        var buffer = ArrayPool<float>.Shared.Rent(length);
        try
        {
            QuadSampler.Sample(image, Quad.FromRectangle(0, 0, image.Width, image.Height), buffer.AsSpan(0, length), width, height, width, TensorNormalization.PaddleDetection);
            using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, buffer.AsMemory(0, length), [1, 3, height, width]);
            using var outputs = OnnxTensors.Run(_detector, new Dictionary<string, OrtValue> { [_detInput] = input }, [_detOutput], cancellationToken);
            var map = outputs[0].GetTensorDataAsSpan<float>();
            return DbPostprocessor.Extract(map, width, height, image.Width, image.Height, Options.DetThreshold, Options.BoxThreshold, Options.UnclipRatio);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    /// <summary>Classifies each line's direction, then recognises the lines in batches of similar width.</summary>
    public List<OcrLine> Recognize(RgbPixels image, IReadOnlyList<Quad> quads, CancellationToken cancellationToken)
    {
        // Tall, narrow boxes hold vertical text: read them turned a quarter, as PaddleOCR does.
        // The recogniser drops spaces and edge strokes on crops cut tight to the DB boxes: give it a margin.
        var crops = quads
            .Select(q => q.Height >= 1.5f * q.Width ? q.RotatedCounterClockwise() : q)
            .Select(q => q.Expand(Options.RecPadding * q.Height, Options.RecPadding * q.Height))
            .ToArray();
        if (Options.UseDirectionClassifier) ClassifyDirections(image, crops, cancellationToken);
        var order = Enumerable.Range(0, crops.Length).OrderBy(i => Ratio(crops[i])).ToArray();
        var results = new OcrLine[crops.Length];
        for (var start = 0; start < order.Length; start += Options.RecBatch)
        {
            var batch = order.AsSpan(start, Math.Min(Options.RecBatch, order.Length - start)).ToArray();
            RecognizeBatch(image, quads, crops, batch, results, cancellationToken);
        }
        return [.. results];
    }

    private void ClassifyDirections(RgbPixels image, Quad[] crops, CancellationToken cancellationToken)
    {
        const int batchSize = 16;
        var plane = LineHeight * ClassifierWidth;
        for (var start = 0; start < crops.Length; start += batchSize)
        {
            var n = Math.Min(batchSize, crops.Length - start);
            var length = n * 3 * plane;
            var buffer = ArrayPool<float>.Shared.Rent(length);
            try
            {
                var tensor = buffer.AsSpan(0, length);
                tensor.Clear();
                for (var i = 0; i < n; i++)
                {
                    var crop = crops[start + i];
                    var width = Math.Clamp((int)MathF.Ceiling(LineHeight * Ratio(crop)), 1, ClassifierWidth);
                    QuadSampler.Sample(image, crop, tensor.Slice(i * 3 * plane, 3 * plane), width, LineHeight, ClassifierWidth, TensorNormalization.PaddleRecognition);
                }
                using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, buffer.AsMemory(0, length), [n, 3, LineHeight, ClassifierWidth]);
                using var outputs = OnnxTensors.Run(_classifier, new Dictionary<string, OrtValue> { [_clsInput] = input }, [_clsOutput], cancellationToken);
                var scores = outputs[0].GetTensorDataAsSpan<float>();
                for (var i = 0; i < n; i++)
                {
                    var upsideDown = scores[i * 2 + 1];
                    if (upsideDown > scores[i * 2] && upsideDown > Options.ClsThreshold) crops[start + i] = crops[start + i].Rotated180();
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(buffer);
            }
        }
    }

    private void RecognizeBatch(RgbPixels image, IReadOnlyList<Quad> quads, Quad[] crops, int[] batch, OcrLine[] results, CancellationToken cancellationToken)
    {
        var widths = batch.Select(i => Math.Clamp((int)MathF.Ceiling(LineHeight * Ratio(crops[i])), 8, MaxLineWidth)).ToArray();
        var tensorWidth = (widths.Max() + 7) / 8 * 8;
        var plane = LineHeight * tensorWidth;
        var length = batch.Length * 3 * plane;
        var buffer = ArrayPool<float>.Shared.Rent(length);
        try
        {
            var tensor = buffer.AsSpan(0, length);
            tensor.Clear();
            for (var i = 0; i < batch.Length; i++)
                QuadSampler.Sample(image, crops[batch[i]], tensor.Slice(i * 3 * plane, 3 * plane), widths[i], LineHeight, tensorWidth, TensorNormalization.PaddleRecognition);
            using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, buffer.AsMemory(0, length), [batch.Length, 3, LineHeight, tensorWidth]);
            using var outputs = OnnxTensors.Run(_recognizer, new Dictionary<string, OrtValue> { [_recInput] = input }, [_recOutput], cancellationToken);
            var shape = outputs[0].GetTensorTypeAndShape().Shape;
            var steps = (int)shape[1];
            var classes = (int)shape[2];
            var probabilities = outputs[0].GetTensorDataAsSpan<float>();
            for (var i = 0; i < batch.Length; i++)
            {
                var (text, confidence) = _decoder.Decode(probabilities.Slice(i * steps * classes, steps * classes), steps, classes);
                results[batch[i]] = ToLine(text, confidence, quads[batch[i]]);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    /// <summary>The recogniser's dictionary has full-width forms of ASCII punctuation (（，：); fold them to ASCII.</summary>
    internal static string FoldFullWidth(string text)
    {
        if (!text.Any(c => c is >= '\uFF01' and <= '\uFF5E' or '\u3000')) return text;
        return string.Create(text.Length, text, (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                span[i] = c switch
                {
                    >= '\uFF01' and <= '\uFF5E' => (char)(c - 0xFEE0),
                    '\u3000' => ' ',
                    _ => c,
                };
            }
        });
    }

    private static float Ratio(Quad quad) => quad.Width / MathF.Max(1, quad.Height);

    private static OcrLine ToLine(string text, float confidence, Quad quad)
    {
        Vector2[] corners = [quad.TopLeft, quad.TopRight, quad.BottomRight, quad.BottomLeft];
        var box = new PixelBox(corners.Min(c => c.X), corners.Min(c => c.Y), corners.Max(c => c.X), corners.Max(c => c.Y));
        return new OcrLine(FoldFullWidth(text), confidence, corners.Select(c => new OcrPoint(c.X, c.Y)).ToArray(), box);
    }
}
