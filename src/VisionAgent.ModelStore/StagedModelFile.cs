using System.Security.Cryptography;
using VisionAgent.Abstractions;

namespace VisionAgent.ModelStore;

/// <summary>
/// A model file being written: bytes go to a temporary file beside the final one while their sha256 is
/// computed; <see cref="CommitAsync"/> checks size and hash and renames, so the final path only ever holds a
/// complete, verified file. Disposing without committing deletes the temporary file.
/// </summary>
internal sealed class StagedModelFile : IAsyncDisposable
{
    private const int BufferSize = 1 << 16;
    private readonly string _finalPath;
    private readonly string _tempPath;
    private readonly FileStream _stream;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly Action<long>? _progress;
    private bool _committed;

    public StagedModelFile(string finalPath, Action<long>? progress)
    {
        _finalPath = finalPath;
        Directory.CreateDirectory(Path.GetDirectoryName(finalPath)!);
        _tempPath = $"{finalPath}.{Guid.NewGuid():N}{FetchScratch.PartialSuffix}";
        _stream = new FileStream(_tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, useAsync: true);
        _progress = progress;
    }

    public long Length { get; private set; }

    public async Task AppendAsync(Stream source, CancellationToken cancellationToken)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            int read;
            while ((read = await source.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                _hash.AppendData(buffer, 0, read);
                await _stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                Length += read;
                _progress?.Invoke(Length);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Checks the result and moves it into place; returns its sha256 (lower-case hex).</summary>
    public async Task<string> CommitAsync(long? expectedSize, string? expectedSha256, CancellationToken cancellationToken)
    {
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
        var sha = Convert.ToHexStringLower(_hash.GetHashAndReset());
        if (expectedSize is { } size && size != Length)
            throw new ModelSourceException($"size mismatch: {Length} bytes, expected {size}; the file was discarded");
        if (expectedSha256 is not null && !string.Equals(sha, expectedSha256, StringComparison.OrdinalIgnoreCase))
            throw new ModelSourceException($"checksum mismatch: sha256 {sha}, expected {expectedSha256.ToLowerInvariant()}; the file was discarded");
        File.Move(_tempPath, _finalPath, overwrite: true);
        _committed = true;
        return sha;
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync().ConfigureAwait(false);
        _hash.Dispose();
        if (!_committed) File.Delete(_tempPath);
    }
}
