namespace VisionAgent.Plugins.Segment;

/// <summary>An image embedding as the encoder returned it.</summary>
public sealed record SamEmbedding(float[] Values, long[] Shape);

/// <summary>
/// The last few image embeddings, keyed by model and image (handle and file), least recently used dropped first:
/// the encoder is the expensive half of SAM, the decoder runs per prompt.
/// </summary>
public sealed class SamEmbeddingCache(int capacity)
{
    private readonly Lock _gate = new();
    private readonly LinkedList<(string Key, SamEmbedding Embedding)> _entries = new();

    public int Count
    {
        get { lock (_gate) return _entries.Count; }
    }

    public static string KeyFor(string model, string handle, string path) => $"{model}\n{handle}\n{path}";

    public bool TryGet(string key, out SamEmbedding embedding)
    {
        lock (_gate)
        {
            for (var node = _entries.First; node is not null; node = node.Next)
            {
                if (node.Value.Key != key) continue;
                _entries.Remove(node);
                _entries.AddFirst(node);
                embedding = node.Value.Embedding;
                return true;
            }
        }
        embedding = null!;
        return false;
    }

    public void Add(string key, SamEmbedding embedding)
    {
        lock (_gate)
        {
            for (var node = _entries.First; node is not null; node = node.Next)
            {
                if (node.Value.Key != key) continue;
                _entries.Remove(node);
                break;
            }
            _entries.AddFirst((key, embedding));
            while (_entries.Count > Math.Max(1, capacity)) _entries.RemoveLast();
        }
    }

    public void Clear()
    {
        lock (_gate) _entries.Clear();
    }
}
