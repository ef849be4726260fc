namespace VisionAgent.Core.Llm;

/// <summary>
/// A streamed response body read under two limits: each read must bring bytes within the idle time (which covers the
/// wait for the first token too), and the whole body must arrive by the deadline of the attempt that fetched it. The
/// body is capped like a buffered one.
/// </summary>
internal sealed class DeadlineStream(Stream inner, TimeSpan idle, DateTimeOffset deadline, TimeProvider clock) : Stream
{
    private long _read;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var left = deadline - clock.GetUtcNow();
        if (left <= TimeSpan.Zero) throw TotalExceeded();
        var waitsForIdle = idle < left;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(waitsForIdle ? idle : left);
        int count;
        try
        {
            count = await inner.ReadAsync(buffer, limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw waitsForIdle
                ? new StreamInterruptedException($"the LLM stream sent nothing for {idle.TotalSeconds:0.#} s (llm.stream_idle_seconds)")
                : TotalExceeded();
        }
        _read += count;
        if (_read > BoundedResponseHandler.MaxResponseBytes)
            throw new StreamInterruptedException($"the LLM stream passed {BoundedResponseHandler.MaxResponseBytes >> 20} MiB");
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // The SDK reads streams asynchronously; a synchronous read gets the same limits.
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private static StreamInterruptedException TotalExceeded() =>
        new("the LLM stream did not finish in time (llm.timeout_seconds covers the whole reply)");
}
