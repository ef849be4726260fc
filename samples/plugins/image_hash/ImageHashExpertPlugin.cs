using System.ComponentModel;
using System.Security.Cryptography;
using Microsoft.SemanticKernel;
using VisionAgent.Abstractions;

namespace ImageHashExpert;

/// <summary>The image_hash tool.</summary>
public sealed class ImageHashExpertPlugin(IImageStore images)
{
    [KernelFunction("image_hash")]
    [ExpertData(typeof(FileFingerprint))]
    [Description("SHA-256 fingerprint, byte size and dimensions of an image file; equal fingerprints mean identical files.")]
    public async Task<ExpertResult> FingerprintAsync(
        [Description("image handle, e.g. img1")] string image,
        CancellationToken cancellationToken = default)
    {
        var record = images.Get(image);
        var fingerprint = await FileFingerprint.ComputeAsync(record.Path, cancellationToken);
        return new ExpertResult
        {
            Observation = $"{record.Handle}: {record.Width}x{record.Height} {record.Format}, {fingerprint.Bytes} bytes, sha256 {fingerprint.Sha256[..16]}",
            Data = fingerprint,
        };
    }
}

/// <summary>A file's SHA-256 (lower-case hex) and length.</summary>
public sealed record FileFingerprint(string Sha256, long Bytes)
{
    public static async Task<FileFingerprint> ComputeAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        var hash = await SHA256.HashDataAsync(stream, cancellationToken);
        return new FileFingerprint(Convert.ToHexStringLower(hash), stream.Length);
    }
}
