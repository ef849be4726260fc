namespace ImageHashExpert.Tests;

public sealed class FileFingerprintTests
{
    [Fact]
    public async Task Fingerprint_of_abc_is_its_sha256()
    {
        var path = Path.GetTempFileName();
        await File.WriteAllTextAsync(path, "abc");
        try
        {
            var fingerprint = await FileFingerprint.ComputeAsync(path, CancellationToken.None);

            Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", fingerprint.Sha256);
            Assert.Equal(3, fingerprint.Bytes);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
