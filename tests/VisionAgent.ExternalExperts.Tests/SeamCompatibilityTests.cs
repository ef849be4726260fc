using VisionAgent.ExternalExperts.Folders;

namespace VisionAgent.ExternalExperts.Tests;

public sealed class SeamCompatibilityTests
{
    [Theory]
    [InlineData("0.9.0", "0.9.0", true)]
    [InlineData("0.9.0", "0.9.4", true)]
    [InlineData("0.9.5", "0.9.4", false)]
    [InlineData("0.8.0", "0.9.0", false)]
    [InlineData("0.10.0", "0.9.0", false)]
    [InlineData("1.0.0", "1.3.2", true)]
    [InlineData("1.2.9", "1.3.0", true)]
    [InlineData("1.4.0", "1.3.0", false)]
    [InlineData("1.0.0", "2.0.0", false)]
    [InlineData("2.0.0", "1.9.9", false)]
    [InlineData("0.9.0", "1.0.0", false)]
    public void A_plugin_seam_is_accepted_on_the_host_line_and_not_newer(string plugin, string host, bool accepted) =>
        Assert.Equal(accepted, SeamCompatibility.Accepts(Version.Parse(plugin), Version.Parse(host)));

    [Fact]
    public void The_revision_number_does_not_count() =>
        Assert.True(SeamCompatibility.Accepts(new Version(0, 9, 0, 7), new Version(0, 9, 0, 0)));

    [Fact]
    public void An_assembly_without_the_seam_is_named_as_such()
    {
        var path = typeof(Xunit.FactAttribute).Assembly.Location;

        Assert.Equal($"{Path.GetFileName(path)} does not reference VisionAgent.Abstractions: a code plugin implements IExpertModule from the VisionAgent.Abstractions package", SeamCompatibility.Check(path));
    }

    [Fact]
    public void A_file_that_is_not_an_assembly_is_refused_in_one_line()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "not a PE file");

            Assert.StartsWith($"{Path.GetFileName(path)} cannot be read: ", SeamCompatibility.Check(path), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
