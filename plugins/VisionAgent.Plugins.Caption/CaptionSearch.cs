using VisionAgent.Onnx.TensorMath;

namespace VisionAgent.Plugins.Caption;

/// <summary>How a caption is generated: search, limits, repetition handling and special tokens.</summary>
public sealed record GenerationOptions
{
    /// <summary>The longest sequence, counting the decoder start token (as Hugging Face's max_length does).</summary>
    public int MaxLength { get; init; } = 16;

    /// <summary>1 is greedy search; more keeps that many hypotheses (beam search).</summary>
    public int NumBeams { get; init; } = 1;

    /// <summary>When above 0, no n-gram of this size may occur twice.</summary>
    public int NoRepeatNgramSize { get; init; }

    /// <summary>Above 1 makes tokens already generated less likely (CTRL-style, as Hugging Face applies it).</summary>
    public float RepetitionPenalty { get; init; } = 1f;

    /// <summary>Beam scores are divided by length to this power; above 0 favours longer captions.</summary>
    public float LengthPenalty { get; init; } = 1f;

    public int DecoderStartTokenId { get; init; } = 50256;

    public IReadOnlySet<int> EosTokenIds { get; init; } = new HashSet<int> { 50256 };
}

/// <summary>One decoder pass per step: logits for the last position of each sequence, with any KV cache kept inside.</summary>
public interface ICaptionDecoder
{
    int Vocabulary { get; }

    /// <summary>Begins a new search with <paramref name="beams"/> sequences, dropping any cache.</summary>
    void Start(int beams);

    /// <summary>Writes the next-token logits of every sequence (all of one length) into <paramref name="logits"/> (beams x vocabulary).</summary>
    void Step(IReadOnlyList<List<int>> sequences, Span<float> logits, CancellationToken cancellationToken);

    /// <summary>Rearranges the cache so beam i continues from beam <paramref name="sources"/>[i].</summary>
    void Reorder(ReadOnlySpan<int> sources);
}

/// <summary>A generated token sequence (without the start and end tokens) and its log-probability score.</summary>
public sealed record GeneratedSequence(IReadOnlyList<int> Tokens, float Score, int Steps);

/// <summary>Greedy and beam search over an <see cref="ICaptionDecoder"/>.</summary>
public static class CaptionSearch
{
    public static GeneratedSequence Generate(ICaptionDecoder decoder, GenerationOptions options, CancellationToken cancellationToken)
    {
        if (options.MaxLength < 2) throw new ArgumentException("max length must allow at least one token", nameof(options));
        return options.NumBeams <= 1 ? Greedy(decoder, options, cancellationToken) : Beam(decoder, options, cancellationToken);
    }

    private static GeneratedSequence Greedy(ICaptionDecoder decoder, GenerationOptions options, CancellationToken cancellationToken)
    {
        decoder.Start(1);
        var sequence = new List<int> { options.DecoderStartTokenId };
        var logits = new float[decoder.Vocabulary];
        var score = 0f;
        var steps = 0;
        while (sequence.Count < options.MaxLength)
        {
            cancellationToken.ThrowIfCancellationRequested();
            decoder.Step([sequence], logits, cancellationToken);
            steps++;
            Shape(logits, sequence, options);
            var next = Activations.ArgMax(logits);
            score += logits[next] - Activations.LogSumExp(logits);
            if (options.EosTokenIds.Contains(next)) break;
            sequence.Add(next);
        }
        return new GeneratedSequence(sequence.Skip(1).ToList(), score, steps);
    }

    private static GeneratedSequence Beam(ICaptionDecoder decoder, GenerationOptions options, CancellationToken cancellationToken)
    {
        var beams = options.NumBeams;
        var vocabulary = decoder.Vocabulary;
        decoder.Start(beams);
        var sequences = Enumerable.Range(0, beams).Select(_ => new List<int> { options.DecoderStartTokenId }).ToList();
        // All beams start identical: only the first may expand at the first step, or the beam would hold copies.
        var scores = Enumerable.Range(0, beams).Select(b => b == 0 ? 0f : -1e9f).ToArray();
        var finished = new List<(List<int> Tokens, float Score)>();
        var logits = new float[beams * vocabulary];
        var steps = 0;
        while (sequences[0].Count < options.MaxLength)
        {
            cancellationToken.ThrowIfCancellationRequested();
            decoder.Step(sequences, logits, cancellationToken);
            steps++;
            // Only the best 2 x beams tokens of each row can survive, so each row is normalised by its
            // log-sum-exp and searched for its top entries instead of rewriting all beams x vocabulary scores.
            var pool = new List<(float Score, int Index)>(2 * beams * beams);
            for (var b = 0; b < beams; b++)
            {
                if (scores[b] <= -1e8f) continue;
                var row = logits.AsSpan(b * vocabulary, vocabulary);
                Shape(row, sequences[b], options);
                var offset = scores[b] - Activations.LogSumExp(row);
                foreach (var token in TopK.Indices(row, 2 * beams))
                {
                    if (float.IsNegativeInfinity(row[token])) continue;
                    pool.Add((row[token] + offset, (b * vocabulary) + token));
                }
            }
            pool.Sort((x, y) => x.Score != y.Score ? y.Score.CompareTo(x.Score) : x.Index.CompareTo(y.Index));
            var candidates = pool.Take(2 * beams).ToArray();

            var nextSequences = new List<List<int>>(beams);
            var nextScores = new List<float>(beams);
            var sources = new List<int>(beams);
            for (var rank = 0; rank < candidates.Length && nextSequences.Count < beams; rank++)
            {
                var beam = candidates[rank].Index / vocabulary;
                var token = candidates[rank].Index % vocabulary;
                var score = candidates[rank].Score;
                if (options.EosTokenIds.Contains(token))
                {
                    // As in Hugging Face: an end among the top beams closes a hypothesis; a lower one is ignored.
                    if (rank < beams) AddFinished(finished, [.. sequences[beam]], score, options, beams);
                    continue;
                }
                nextSequences.Add([.. sequences[beam], token]);
                nextScores.Add(score);
                sources.Add(beam);
            }
            if (nextSequences.Count == 0) break;
            if (finished.Count >= beams &&
                finished.Min(f => f.Score) >= nextScores[0] / MathF.Pow(sequences[0].Count, options.LengthPenalty))
                break;
            while (nextSequences.Count < beams)
            {
                // Fewer live candidates than beams (a tiny vocabulary): pad with dead copies.
                nextSequences.Add([.. nextSequences[0]]);
                nextScores.Add(-1e9f);
                sources.Add(sources[0]);
            }
            decoder.Reorder(sources.ToArray());
            sequences = nextSequences;
            scores = [.. nextScores];
        }
        for (var b = 0; b < beams; b++)
        {
            if (scores[b] > -1e8f) AddFinished(finished, sequences[b], scores[b], options, beams);
        }
        var best = finished.OrderByDescending(f => f.Score).First();
        return new GeneratedSequence(best.Tokens.Skip(1).ToList(), best.Score, steps);
    }

    private static void AddFinished(List<(List<int> Tokens, float Score)> finished, List<int> tokens, float sumLogProbs, GenerationOptions options, int beams)
    {
        var score = sumLogProbs / MathF.Pow(tokens.Count, options.LengthPenalty);
        if (finished.Count < beams)
        {
            finished.Add((tokens, score));
            return;
        }
        var worst = 0;
        for (var i = 1; i < finished.Count; i++)
        {
            if (finished[i].Score < finished[worst].Score) worst = i;
        }
        if (score > finished[worst].Score) finished[worst] = (tokens, score);
    }

    /// <summary>Applies the repetition penalty and bans tokens that would repeat an n-gram.</summary>
    public static void Shape(Span<float> logits, IReadOnlyList<int> sequence, GenerationOptions options)
    {
        if (options.RepetitionPenalty != 1f)
        {
            foreach (var token in sequence.Distinct())
            {
                if ((uint)token >= (uint)logits.Length) continue;
                logits[token] = logits[token] < 0 ? logits[token] * options.RepetitionPenalty : logits[token] / options.RepetitionPenalty;
            }
        }
        var n = options.NoRepeatNgramSize;
        if (n <= 0 || sequence.Count + 1 < n) return;
        // The last n-1 tokens plus a candidate must not equal an n-gram seen before.
        var prefixStart = sequence.Count - (n - 1);
        for (var start = 0; start + n <= sequence.Count; start++)
        {
            var matches = true;
            for (var k = 0; k < n - 1 && matches; k++) matches = sequence[start + k] == sequence[prefixStart + k];
            if (!matches) continue;
            var banned = sequence[start + n - 1];
            if ((uint)banned < (uint)logits.Length) logits[banned] = float.NegativeInfinity;
        }
    }
}
