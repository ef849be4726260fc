namespace VisionAgent.Testing.Onnx;

/// <summary>
/// The logits a scripted captioning decoder produces: for the token at position p with current token t and
/// previous token u, logits = ByPosition[p] + AfterToken[t] + AfterPrevious[u], every unset entry of the
/// position table being <see cref="Baseline"/>. The decoder models built from it give a known caption only when
/// the caller feeds tokens, positions and (for the cached variants) the KV cache correctly.
/// </summary>
public sealed class CaptionScript
{
    /// <summary>The GPT-2 vocabulary size (ids 0..50256, 50256 being &lt;|endoftext|&gt;).</summary>
    public const int Gpt2Vocabulary = 50257;

    public CaptionScript(int positions = 24, int vocabulary = Gpt2Vocabulary)
    {
        Positions = positions;
        Vocabulary = vocabulary;
    }

    public int Positions { get; }
    public int Vocabulary { get; }

    /// <summary>The logit of every token the script does not mention at a position.</summary>
    public float Baseline { get; init; } = -20f;

    internal Dictionary<(int Position, int Token), float> ByPosition { get; } = [];
    internal Dictionary<(int Current, int Token), float> AfterToken { get; } = [];
    internal Dictionary<(int Previous, int Token), float> AfterPrevious { get; } = [];

    public CaptionScript AtPosition(int position, int token, float logit)
    {
        ByPosition[(position, token)] = logit;
        return this;
    }

    /// <summary>Adds <paramref name="logit"/> to <paramref name="next"/> whenever the current token is <paramref name="current"/>.</summary>
    public CaptionScript After(int current, int next, float logit)
    {
        AfterToken[(current, next)] = logit;
        return this;
    }

    /// <summary>Adds <paramref name="logit"/> to <paramref name="next"/> whenever the token before the current one is <paramref name="previous"/>.</summary>
    public CaptionScript AfterTokenBefore(int previous, int next, float logit)
    {
        AfterPrevious[(previous, next)] = logit;
        return this;
    }

    /// <summary>
    /// A script whose greedy (and beam) output after <paramref name="start"/> is <paramref name="tokens"/> then
    /// <paramref name="eos"/>, but only when position, current token and previous token all reach the model right:
    /// the right token scores 4 + 2 + 2 = 8 and a decoy token 7, so one wrong input lets the decoy win.
    /// </summary>
    public static CaptionScript Sequence(IReadOnlyList<int> tokens, int start, int eos, int decoy = 0)
    {
        var script = new CaptionScript(Math.Max(24, tokens.Count + 2));
        var sequence = new List<int> { start };
        sequence.AddRange(tokens);
        sequence.Add(eos);
        for (var p = 0; p + 1 < sequence.Count; p++)
        {
            var next = sequence[p + 1];
            // The first position has no previous token, so its position entry carries that share too.
            script.AtPosition(p, next, p == 0 ? 6f : 4f).AtPosition(p, decoy, 7f);
            script.After(sequence[p], next, 2f);
            if (p > 0) script.AfterTokenBefore(sequence[p - 1], next, 2f);
        }
        return script;
    }

    /// <summary>Token ids that condition the logits, each given a row (row 0 means "no entry").</summary>
    internal Dictionary<int, int> ConditioningRows()
    {
        var rows = new Dictionary<int, int>();
        foreach (var token in AfterToken.Keys.Select(k => k.Current).Concat(AfterPrevious.Keys.Select(k => k.Previous)))
            rows.TryAdd(token, rows.Count + 1);
        return rows;
    }
}
