using VisionAgent.Abstractions;

namespace VisionAgent.ExternalExperts.Scaffold;

/// <summary>
/// Writes a code plugin that builds: a project referencing VisionAgent.Abstractions by path, the module, the
/// plugin class, <c>expert.yaml</c> (kind: code, assembly: bin/NameExpert.dll) and a test project. The folder
/// carries its own Directory.Build.props and Directory.Packages.props so it builds the same inside or outside
/// a repository.
/// </summary>
public static class PluginScaffold
{
    public const string SemanticKernelVersion = "1.82.0";

    /// <param name="name">The expert's tool name (snake_case).</param>
    /// <param name="directory">The plugin folder to create; it must not exist or be empty.</param>
    /// <param name="abstractionsReference">VisionAgent.Abstractions.csproj (a project reference) or VisionAgent.Abstractions.dll (an assembly reference).</param>
    /// <returns>The files written.</returns>
    public static IReadOnlyList<string> Write(string name, string directory, string abstractionsReference)
    {
        if (!ExpertManifestReader.IsToolName(name))
            throw new BadInputException($"plugin name '{name}' must be lower-case letters, digits and underscores, starting with a letter (for example image_hash)");
        if (!File.Exists(abstractionsReference))
            throw new BadInputException($"VisionAgent.Abstractions not found at {abstractionsReference}");
        directory = Path.GetFullPath(directory);
        if (Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any())
            throw new BadInputException($"{directory} already exists and is not empty");
        var files = Files(name, directory, Path.GetFullPath(abstractionsReference));
        foreach (var (relative, text) in files)
        {
            var path = Path.Combine(directory, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text.ReplaceLineEndings("\n"));
        }
        return files.Select(f => Path.Combine(directory, f.Relative)).ToList();
    }

    /// <summary>The project name for an expert: image_hash gives ImageHashExpert.</summary>
    public static string ProjectName(string name) =>
        string.Concat(name.Split('_', StringSplitOptions.RemoveEmptyEntries).Select(p => char.ToUpperInvariant(p[0]) + p[1..])) + "Expert";

    private static List<(string Relative, string Text)> Files(string name, string directory, string abstractions)
    {
        var project = ProjectName(name);
        var relative = Path.GetRelativePath(directory, abstractions).Replace('\\', '/');
        var reference = abstractions.EndsWith(".csproj", StringComparison.OrdinalIgnoreCase)
            ? $"""    <ProjectReference Include="{relative}" Private="false" />"""
            : $"""    <Reference Include="VisionAgent.Abstractions" HintPath="{relative}" Private="false" />""";
        var testReference = abstractions.EndsWith(".csproj", StringComparison.OrdinalIgnoreCase)
            ? $"""    <ProjectReference Include="{Path.GetRelativePath(Path.Combine(directory, "tests", project + ".Tests"), abstractions).Replace('\\', '/')}" />"""
            : $"""    <Reference Include="VisionAgent.Abstractions" HintPath="{Path.GetRelativePath(Path.Combine(directory, "tests", project + ".Tests"), abstractions).Replace('\\', '/')}" />""";
        return
        [
            ("Directory.Build.props", """
                <Project>
                  <!-- The plugin's own settings: nothing is inherited from a repository it may sit in. -->
                  <PropertyGroup>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                    <NoWarn>$(NoWarn);NU1603</NoWarn>
                  </PropertyGroup>
                </Project>

                """),
            ("Directory.Packages.props", """
                <Project>
                  <PropertyGroup>
                    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
                  </PropertyGroup>
                </Project>

                """),
            ($"{project}.csproj", $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <!-- Built into bin/ beside expert.yaml, which names bin/{project}.dll. -->
                  <PropertyGroup>
                    <OutputPath>bin/</OutputPath>
                    <AppendTargetFrameworkToOutputPath>false</AppendTargetFrameworkToOutputPath>
                    <EnableDynamicLoading>true</EnableDynamicLoading>
                  </PropertyGroup>
                  <ItemGroup>
                    <Compile Remove="tests/**" />
                    <None Remove="tests/**" />
                  </ItemGroup>
                  <ItemGroup>
                    <!-- The host shares its own copy of the seam with the plugin: do not ship one. -->
                {reference}
                    <PackageReference Include="Microsoft.SemanticKernel.Abstractions" Version="{SemanticKernelVersion}" />
                  </ItemGroup>
                </Project>

                """),
            ("expert.yaml", $"""
                name: {name}
                description: SHA-256 fingerprint, byte size and dimensions of an image file; equal fingerprints mean identical files.
                kind: code
                assembly: bin/{project}.dll
                routing:
                  - examples: ["is this the same file as before", "fingerprint this image"]
                    keywords: [hash, fingerprint, checksum]
                license: MIT

                """),
            ($"{project}Module.cs", $$"""
                using VisionAgent.Abstractions;

                namespace {{project}};

                /// <summary>What the host looks for: one public IExpertModule with a parameterless constructor.</summary>
                public sealed class {{project}}Module : IExpertModule
                {
                    public object CreatePlugin(ExpertContext context) => new {{project}}Plugin(context.Images);
                }

                """),
            ($"{project}Plugin.cs", $$"""
                using System.ComponentModel;
                using System.Security.Cryptography;
                using Microsoft.SemanticKernel;
                using VisionAgent.Abstractions;

                namespace {{project}};

                /// <summary>The {{name}} tool.</summary>
                public sealed class {{project}}Plugin(IImageStore images)
                {
                    [KernelFunction("{{name}}")]
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

                """),
            ($"tests/{project}.Tests/{project}.Tests.csproj", $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <IsPackable>false</IsPackable>
                  </PropertyGroup>
                  <ItemGroup>
                    <ProjectReference Include="../../{project}.csproj" />
                {testReference}
                    <PackageReference Include="Microsoft.NET.Test.Sdk" Version="18.0.1" />
                    <PackageReference Include="xunit" Version="2.9.3" />
                    <PackageReference Include="xunit.runner.visualstudio" Version="3.1.5" />
                    <Using Include="Xunit" />
                  </ItemGroup>
                </Project>

                """),
            ($"tests/{project}.Tests/FileFingerprintTests.cs", $$"""
                namespace {{project}}.Tests;

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

                """),
        ];
    }

    /// <summary>Where VisionAgent.Abstractions is: the source project when the host runs from a source tree, else the assembly beside the host.</summary>
    public static string FindAbstractions(string? startDirectory = null)
    {
        for (var dir = new DirectoryInfo(startDirectory ?? AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var project = Path.Combine(dir.FullName, "src", "VisionAgent.Abstractions", "VisionAgent.Abstractions.csproj");
            if (File.Exists(Path.Combine(dir.FullName, "VisionAgent.sln")) && File.Exists(project)) return project;
        }
        return Path.Combine(AppContext.BaseDirectory, "VisionAgent.Abstractions.dll");
    }
}
