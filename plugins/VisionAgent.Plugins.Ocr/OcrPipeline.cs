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
    private const int MaxDirectionWindows = 6;
    private readonly Stage _detector;
    private readonly Task<Stage>? _classifier;
    private readonly Task<Stage> _recognizer;
    private readonly Task<CtcDecoder> _decoder;

    private OcrPipeline(Stage detector, Task<Stage>? classifier, Task<Stage> recognizer, Task<CtcDecoder> decoder, OcrOptions options)
    {
        _detector = detector;
        _classifier = classifier;
        _recognizer = recognizer;
        _decoder = decoder;
        Options = options;
    }

    public OcrOptions Options { get; }

    /// <summary>
    /// Loads the models in parallel: detection waits only for its own session, and an image without text never
    /// waits for the others. The classifier is not loaded at all when <see cref="OcrOptions.UseDirectionClassifier"/> is off.
    /// </summary>
    public static OcrPipeline Create(OnnxSessionPool sessions, OcrModelPaths paths, OcrOptions options)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        ArgumentNullException.ThrowIfNull(paths);
        var onCpu = sessions.ActiveDevice != "cuda";
        if (options.RecBatch <= 0) options = options with { RecBatch = onCpu ? 1 : 8 };
        if (options.RecWorkers <= 0) options = options with { RecWorkers = onCpu ? Environment.ProcessorCount : 1 };
        // Several lines at once, each on one thread, rather than each line's small operators split over threads.
        var recognizerSession = options.RecWorkers > 1 ? options.Session with { Threads = 1 } : options.Session;
        var recognizer = Task.Run(() => Stage.Of(sessions.Get(paths.Recognizer, recognizerSession)));
        var classifier = options.UseDirectionClassifier ? Task.Run(() => Stage.Of(sessions.Get(paths.Classifier, options.Session))) : null;
        var decoder = Task.Run(() => CtcDecoder.FromFile(paths.Keys, options.SpaceThreshold, options.WideGapSpaceThreshold));
        var detector = Stage.Of(sessions.Get(paths.Detector, options.Session));
        return new(detector, classifier, recognizer, decoder, options);
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
            using var outputs = _detector.Run(input, cancellationToken);
            var map = outputs[0].GetTensorDataAsSpan<float>();
            return DbPostprocessor.Extract(map, width, height, image.Width, image.Height, Options.DetThreshold, Options.BoxThreshold, Options.UnclipRatio);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Decides each line's direction, recognises the lines in batches of similar width, and reads again turned
    /// 180 degrees the lines whose direction is in doubt, keeping the more confident reading.
    /// </summary>
    public List<OcrLine> Recognize(RgbPixels image, IReadOnlyList<Quad> quads, CancellationToken cancellationToken)
    {
        if (quads.Count == 0) return [];
        // Tall, narrow boxes hold vertical text: read them turned a quarter, as PaddleOCR does.
        // The recogniser drops spaces and edge strokes on crops cut tight to the DB boxes: give it a margin.
        var crops = quads
            .Select(q => q.Height >= 1.5f * q.Width ? q.RotatedCounterClockwise() : q)
            .Select(q => q.Expand(Options.RecPadding * q.Height, Options.RecPadding * q.Height))
            .ToArray();
        var directions = Options.UseDirectionClassifier ? ClassifyDirections(image, crops, cancellationToken) : new LineDirection[crops.Length];
        for (var i = 0; i < crops.Length; i++)
        {
            if (directions[i] == LineDirection.UpsideDown) crops[i] = crops[i].Rotated180();
        }
        var readings = RecognizeAll(image, crops, cancellationToken);
        if (Options.UseDirectionClassifier)
        {
            var doubtful = Enumerable.Range(0, crops.Length)
                .Where(i => directions[i] == LineDirection.Undecided || readings[i].Confidence < Options.RecheckConfidence)
                .ToArray();
            if (doubtful.Length > 0)
            {
                var turned = RecognizeAll(image, doubtful.Select(i => crops[i].Rotated180()).ToArray(), cancellationToken);
                for (var k = 0; k < doubtful.Length; k++)
                {
                    if (turned[k].Confidence > readings[doubtful[k]].Confidence) readings[doubtful[k]] = turned[k];
                }
            }
        }
        return readings.Select((r, i) => ToLine(r.Text, r.Confidence, quads[i])).ToList();
    }

    /// <summary>
    /// The classifier sees 48x192 pixels. A long line squeezed into that is misjudged (upright capitals called
    /// upside down and the reverse), so a line longer than the input is judged by windows of the classifier's own
    /// aspect spread along it; a combined score that is not decisive leaves the line undecided.
    /// </summary>
    private LineDirection[] ClassifyDirections(RgbPixels image, Quad[] crops, CancellationToken cancellationToken)
    {
        const int batchSize = 16;
        var classifier = Await(_classifier!, cancellationToken);
        const float windowAspect = (float)ClassifierWidth / LineHeight;
        var windows = new List<(int Line, Quad Window)>();
        for (var line = 0; line < crops.Length; line++)
        {
            var ratio = Ratio(crops[line]);
            if (ratio <= 1.5f * windowAspect)
            {
                windows.Add((line, crops[line]));
                continue;
            }
            var length = windowAspect / ratio;
            var count = Math.Min((int)MathF.Ceiling(ratio / windowAspect), MaxDirectionWindows);
            for (var k = 0; k < count; k++)
            {
                var from = k * (1 - length) / (count - 1);
                windows.Add((line, crops[line].Section(from, from + length)));
            }
        }
        // Windows are combined as independent evidence: their log-odds add up. One window clamped to 0.02-0.98
        // cannot outvote several that agree.
        var upsideDownLogOdds = new float[crops.Length];
        var plane = LineHeight * ClassifierWidth;
        for (var start = 0; start < windows.Count; start += batchSize)
        {
            var n = Math.Min(batchSize, windows.Count - start);
            var length = n * 3 * plane;
            var buffer = ArrayPool<float>.Shared.Rent(length);
            try
            {
                var tensor = buffer.AsSpan(0, length);
                tensor.Clear();
                for (var i = 0; i < n; i++)
                {
                    var window = windows[start + i].Window;
                    var width = Math.Clamp((int)MathF.Ceiling(LineHeight * Ratio(window)), 1, ClassifierWidth);
                    QuadSampler.Sample(image, window, tensor.Slice(i * 3 * plane, 3 * plane), width, LineHeight, ClassifierWidth, TensorNormalization.PaddleRecognition);
                }
                using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, buffer.AsMemory(0, length), [n, 3, LineHeight, ClassifierWidth]);
                using var outputs = classifier.Run(input, cancellationToken);
                var scores = outputs[0].GetTensorDataAsSpan<float>();
                for (var i = 0; i < n; i++)
                {
                    var p = Math.Clamp(scores[i * 2 + 1] / (scores[i * 2] + scores[i * 2 + 1]), 0.02f, 0.98f);
                    upsideDownLogOdds[windows[start + i].Line] += MathF.Log(p / (1 - p));
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(buffer);
            }
        }
        return upsideDownLogOdds.Select(logOdds => (1 / (1 + MathF.Exp(-logOdds))) switch
        {
            var p when p > Options.ClsThreshold => LineDirection.UpsideDown,
            var p when p < 1 - Options.ClsThreshold => LineDirection.Upright,
            _ => LineDirection.Undecided,
        }).ToArray();
    }

    /// <summary>
    /// Recognises every crop as sampled (left to right along its top edge), in batches of similar width, up to
    /// <see cref="OcrOptions.RecWorkers"/> batches at a time, the widest first so the workers finish together.
    /// </summary>
    private (string Text, float Confidence)[] RecognizeAll(RgbPixels image, Quad[] crops, CancellationToken cancellationToken)
    {
        var order = Enumerable.Range(0, crops.Length).OrderByDescending(i => Ratio(crops[i])).ToArray();
        var batches = order.Chunk(Options.RecBatch).ToArray();
        var readings = new (string Text, float Confidence)[crops.Length];
        if (Options.RecWorkers <= 1 || batches.Length == 1)
        {
            foreach (var batch in batches) RecognizeBatch(image, crops, batch, readings, cancellationToken);
            return readings;
        }
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Options.RecWorkers, CancellationToken = cancellationToken };
        try
        {
            Parallel.For(0, batches.Length, parallel, k => RecognizeBatch(image, crops, batches[k], readings, cancellationToken));
        }
        catch (AggregateException ex)
        {
            // The first failure as the caller would have seen it without the workers (a model error, a cancelled run).
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex.InnerExceptions[0]);
        }
        return readings;
    }

    private void RecognizeBatch(RgbPixels image, Quad[] crops, int[] batch, (string Text, float Confidence)[] readings, CancellationToken cancellationToken)
    {
        var recognizer = Await(_recognizer, cancellationToken);
        var decoder = Await(_decoder, cancellationToken);
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
            using var outputs = recognizer.Run(input, cancellationToken);
            var shape = outputs[0].GetTensorTypeAndShape().Shape;
            var steps = (int)shape[1];
            var classes = (int)shape[2];
            var probabilities = outputs[0].GetTensorDataAsSpan<float>();
            for (var i = 0; i < batch.Length; i++)
                readings[batch[i]] = decoder.Decode(probabilities.Slice(i * steps * classes, steps * classes), steps, classes);
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

    /// <summary>A model still loading in the background; its load error, if any, surfaces here unwrapped.</summary>
    private static T Await<T>(Task<T> loading, CancellationToken cancellationToken) =>
        loading.WaitAsync(cancellationToken).GetAwaiter().GetResult();

    /// <summary>A model's session and the input and output the pipeline uses.</summary>
    private sealed record Stage(InferenceSession Session, string Input, string Output)
    {
        public static Stage Of(InferenceSession session) => new(session, session.InputNames[0], session.OutputNames[0]);

        public IDisposableReadOnlyCollection<OrtValue> Run(OrtValue input, CancellationToken cancellationToken) =>
            OnnxTensors.Run(Session, new Dictionary<string, OrtValue> { [Input] = input }, [Output], cancellationToken);
    }

    private enum LineDirection
    {
        Upright,
        UpsideDown,
        Undecided,
    }

    private static float Ratio(Quad quad) => quad.Width / MathF.Max(1, quad.Height);

    private static OcrLine ToLine(string text, float confidence, Quad quad)
    {
        Vector2[] corners = [quad.TopLeft, quad.TopRight, quad.BottomRight, quad.BottomLeft];
        var box = new PixelBox(corners.Min(c => c.X), corners.Min(c => c.Y), corners.Max(c => c.X), corners.Max(c => c.Y));
        return new OcrLine(FoldFullWidth(text), confidence, corners.Select(c => new OcrPoint(c.X, c.Y)).ToArray(), box);
    }
}
