using System.Text.Json;
using VisionAgent.Abstractions;

namespace VisionAgent.ModelStore;

/// <summary>
/// An index of models stored as chunks in a package (resources.json of @imgly/background-removal-data):
/// for each key, the chunks in order (each named by its hash, with byte offsets) and the total size.
/// </summary>
public sealed record ChunkIndexEntry(IReadOnlyList<ChunkIndexEntry.Chunk> Chunks, long Size)
{
    public sealed record Chunk(string Hash, long Start, long End)
    {
        public long Length => End - Start;
    }

    public static ChunkIndexEntry Parse(ReadOnlySpan<byte> json, string key, string label)
    {
        try
        {
            using var document = JsonDocument.Parse(json.ToArray());
            if (!document.RootElement.TryGetProperty(key, out var entry))
                throw new VisionAgentException($"{label} has no entry '{key}'");
            var chunks = new List<Chunk>();
            foreach (var chunk in entry.GetProperty("chunks").EnumerateArray())
            {
                var hash = chunk.GetProperty("hash").GetString() ?? "";
                if (hash.Length == 0 || hash.Any(c => !char.IsAsciiLetterOrDigit(c)))
                    throw new VisionAgentException($"{label}: chunk name '{hash}' is not a plain hash");
                var offsets = chunk.GetProperty("offsets");
                chunks.Add(new Chunk(hash, offsets[0].GetInt64(), offsets[1].GetInt64()));
            }
            return new ChunkIndexEntry(chunks, entry.GetProperty("size").GetInt64());
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
        {
            throw new VisionAgentException($"{label}: malformed chunk index ({ex.Message})", inner: ex);
        }
    }
}
