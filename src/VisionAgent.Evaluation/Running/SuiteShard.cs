using System.Globalization;
using System.Text;
using VisionAgent.Abstractions;
using VisionAgent.Evaluation.Tasks;

namespace VisionAgent.Evaluation.Running;

/// <summary>
/// Shard <see cref="Index"/> of <see cref="Count"/> (1-based): the tasks whose id hashes to it. The hash is 64-bit
/// FNV-1a over the id's UTF-8 bytes, so a task lands in the same shard on every machine and runtime, whatever
/// else the suite holds; shards 1/N..N/N together hold every task exactly once.
/// </summary>
public sealed record SuiteShard
{
    public SuiteShard(int index, int count)
    {
        if (count < 1 || index < 1 || index > count)
            throw new VisionAgentException($"--shard must be K/N with 1 <= K <= N (got {index}/{count})", ExitCodes.Usage);
        Index = index;
        Count = count;
    }

    public int Index { get; }
    public int Count { get; }

    /// <summary>Reads "K/N", as <c>--shard</c> takes it.</summary>
    public static SuiteShard Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
            throw new VisionAgentException($"--shard takes K/N, such as 2/4 (got '{text}')", ExitCodes.Usage);
        return new SuiteShard(index, count);
    }

    public bool Contains(EvalTask task) => ShardOf(task.Id, Count) == Index;

    public IReadOnlyList<EvalTask> Select(IEnumerable<EvalTask> tasks) => tasks.Where(Contains).ToList();

    /// <summary>The 1-based shard of <paramref name="taskId"/> when a suite is split into <paramref name="count"/>.</summary>
    public static int ShardOf(string taskId, int count)
    {
        const ulong offset = 14695981039346656037;
        const ulong prime = 1099511628211;
        var hash = offset;
        foreach (var b in Encoding.UTF8.GetBytes(taskId))
        {
            hash ^= b;
            hash *= prime;
        }
        return (int)(hash % (ulong)count) + 1;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");
}
