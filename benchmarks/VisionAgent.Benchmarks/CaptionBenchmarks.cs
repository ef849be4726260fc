using BenchmarkDotNet.Attributes;
using SixLabors.ImageSharp.PixelFormats;
using VisionAgent.Imaging;
using VisionAgent.Imaging.Tensors;
using VisionAgent.Plugins.Caption;
using VisionAgent.Testing;

namespace VisionAgent.Benchmarks;

/// <summary>
/// The captioner's own work per image, the models apart: resizing and normalising to 224x224, and the search
/// over a 50,257-token vocabulary (log-softmax, repetition handling, top-k, cache reordering) for a 16-token
/// caption, greedy and with 4 beams, against a decoder that returns fixed logits instantly.
/// </summary>
[MemoryDiagnoser]
public class CaptionBenchmarks
{
    private SixLabors.ImageSharp.Image<Rgb24> _image = null!;
    private FixedLogitsDecoder _decoder = null!;
    private CaptionTokenizer _tokenizer = null!;
    private int[] _tokens = null!;

    [GlobalSetup]
    public void Setup()
    {
        _image = new ImageLoader().LoadRgb(RepositoryPaths.SampleImage("chelsea.png"));
        _decoder = new FixedLogitsDecoder(50257, seed: 5);
        _tokenizer = CaptionTokenizer.Gpt2Default();
        _tokens = [.. _tokenizer.Encode("a cat laying on top of a couch next to a remote control")];
    }

    [GlobalCleanup]
    public void Cleanup() => _image.Dispose();

    [Benchmark(Description = "preprocess 451x300 to 224x224 normalised")]
    public float[] Preprocess() => NormalizedTensor.Create(_image, new NormalizationOptions());

    [Benchmark(Description = "greedy search, 16 tokens, no model")]
    public int Greedy() => CaptionSearch.Generate(_decoder, Options(1), CancellationToken.None).Tokens.Count;

    [Benchmark(Description = "beam search x4, 16 tokens, no model")]
    public int Beam() => CaptionSearch.Generate(_decoder, Options(4), CancellationToken.None).Tokens.Count;

    [Benchmark(Description = "GPT-2 decode of a 13-token caption")]
    public string Decode() => _tokenizer.Decode(_tokens);

    private static GenerationOptions Options(int beams) =>
        new() { MaxLength = 17, NumBeams = beams, NoRepeatNgramSize = 3, EosTokenIds = new HashSet<int> { -1 } };

    /// <summary>Returns the same random logits every step and copies a cache-sized buffer on reorder, as the real decoder does.</summary>
    private sealed class FixedLogitsDecoder(int vocabulary, int seed) : ICaptionDecoder
    {
        private readonly float[] _logits = RandomLogits(vocabulary, seed);
        private float[] _cache = [];

        public int Vocabulary => vocabulary;

        public void Start(int beams) => _cache = new float[beams * 12 * 2 * 12 * 64];

        public void Step(IReadOnlyList<List<int>> sequences, Span<float> logits, CancellationToken cancellationToken)
        {
            for (var b = 0; b < sequences.Count; b++) _logits.CopyTo(logits.Slice(b * vocabulary, vocabulary));
        }

        public void Reorder(ReadOnlySpan<int> sources)
        {
            var block = _cache.Length / sources.Length;
            var copy = new float[_cache.Length];
            for (var b = 0; b < sources.Length; b++) Array.Copy(_cache, sources[b] * block, copy, b * block, block);
            _cache = copy;
        }

        private static float[] RandomLogits(int count, int seed)
        {
            var random = new Random(seed);
            return Enumerable.Range(0, count).Select(_ => random.NextSingle() * 10).ToArray();
        }
    }
}
