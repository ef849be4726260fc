using System.Reflection;
using System.Security;
using VisionAgent.Abstractions;
using VisionAgent.ExternalExperts.Folders;

namespace VisionAgent.ExternalExperts.Scaffold;

/// <summary>
/// Writes a code plugin that builds anywhere: a project referencing the VisionAgent.Abstractions package at the
/// host's version, a <c>nuget.config</c> naming the local feed that serves it (when one is given), the module,
/// the plugin class, <c>expert.yaml</c> (kind: code, assembly: bin/NameExpert.dll) and a test project. The folder
/// carries its own Directory.Build.props and Directory.Packages.props so it builds the same inside or outside
/// a repository.
/// </summary>
public static class PluginScaffold
{
    public const string SemanticKernelVersion = "1.82.0";

    /// <summary>The key of the local feed in the generated <c>nuget.config</c>.</summary>
    public const string FeedKey = "visionagent-local";

    /// <summary>The package version of the seam this host carries (its informational version without build metadata).</summary>
    public static string SeamPackageVersion { get; } = PackageVersionOf(typeof(IExpertModule).Assembly);

    /// <param name="name">The expert's tool name (snake_case).</param>
    /// <param name="directory">The plugin folder to create; it must not exist or be empty.</param>
    /// <param name="seamVersion">The VisionAgent.Abstractions package version to reference.</param>
    /// <param name="feed">
    /// The folder (or URL) that serves VisionAgent.Abstractions, written as given into <c>nuget.config</c> (a relative
    /// path is relative to the plugin folder); null writes no <c>nuget.config</c>, for a seam served by the usual sources.
    /// </param>
    /// <param name="reservedNames">Names the plugin may not take (the built-in experts').</param>
    /// <returns>The files written.</returns>
    public static IReadOnlyList<string> Write(string name, string directory, string seamVersion, string? feed, IReadOnlySet<string>? reservedNames = null)
    {
        CheckName(name, reservedNames ?? new HashSet<string>());
        directory = Path.GetFullPath(directory);
        if (File.Exists(directory))
            throw new BadInputException($"{directory} is a file; give a folder for the plugin");
        if (Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any())
            throw new BadInputException($"{directory} already exists and is not empty");
        var files = Files(name, seamVersion, feed);
        foreach (var (relative, text) in files)
        {
            var path = Path.Combine(directory, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
            using var writer = new StreamWriter(stream);
            writer.Write(text.ReplaceLineEndings("\n"));
        }
        return files.Select(f => Path.Combine(directory, f.Relative)).ToList();
    }

    /// <summary>Refuses a name that is not a tool name (suggesting one that is) or that a built-in expert has.</summary>
    public static void CheckName(string name, IReadOnlySet<string> reservedNames)
    {
        if (!ExpertManifestReader.IsToolName(name))
        {
            var suggestion = SuggestName(name);
            var hint = suggestion is null ? "(for example image_hash)" : $"(did you mean {suggestion}?)";
            throw new BadInputException($"plugin name '{QuotedText.Excerpt(name)}' must be lower-case letters, digits and underscores, starting with a letter {hint}");
        }
        if (reservedNames.Contains(name))
            throw new BadInputException($"plugin name '{name}' is taken by a built-in expert ({string.Join(", ", reservedNames.Order(StringComparer.Ordinal))}); choose another, e.g. my_{name}");
    }

    /// <summary>The snake_case tool name closest to <paramref name="name"/> (MyExpert gives my_expert, OCR-Reader gives ocr_reader), or null when none is.</summary>
    public static string? SuggestName(string name)
    {
        var words = new List<string>();
        var word = new System.Text.StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (!char.IsAsciiLetterOrDigit(c))
            {
                Flush();
                continue;
            }
            var startsWord = char.IsAsciiLetterUpper(c) && word.Length > 0 &&
                (!char.IsAsciiLetterUpper(name[i - 1]) || (i + 1 < name.Length && char.IsAsciiLetterLower(name[i + 1])));
            if (startsWord) Flush();
            word.Append(char.ToLowerInvariant(c));
        }
        Flush();
        var suggestion = string.Join('_', words);
        return ExpertManifestReader.IsToolName(suggestion) && suggestion != name ? suggestion : null;

        void Flush()
        {
            if (word.Length > 0) words.Add(word.ToString());
            word.Clear();
        }
    }

    /// <summary>The project name for an expert: image_hash gives ImageHashExpert, my_expert gives MyExpert.</summary>
    public static string ProjectName(string name)
    {
        var pascal = string.Concat(name.Split('_', StringSplitOptions.RemoveEmptyEntries).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
        return pascal.EndsWith("Expert", StringComparison.Ordinal) ? pascal : pascal + "Expert";
    }

    /// <summary>
    /// The local feed of a host that runs from a source tree (<c>artifacts/packages</c>, where <c>dotnet pack</c>
    /// writes the seam package), or null for a host installed elsewhere.
    /// </summary>
    public static string? FindLocalFeed(string? startDirectory = null)
    {
        for (var dir = new DirectoryInfo(startDirectory ?? AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "VisionAgent.sln")) &&
                File.Exists(Path.Combine(dir.FullName, "src", "VisionAgent.Abstractions", "VisionAgent.Abstractions.csproj")))
                return Path.Combine(dir.FullName, "artifacts", "packages");
        }
        return null;
    }

    /// <summary>Whether a feed folder holds the seam package of <paramref name="version"/>.</summary>
    public static bool FeedHasSeam(string feed, string version) =>
        Directory.Exists(feed) && Directory.EnumerateFiles(feed, "*.nupkg").Any(f =>
            string.Equals(Path.GetFileName(f), $"{SeamCompatibility.SeamAssemblyName}.{version}.nupkg", StringComparison.OrdinalIgnoreCase));

    private static string PackageVersionOf(Assembly assembly)
    {
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        return informational is null ? assembly.GetName().Version!.ToString(3) : informational.Split('+')[0];
    }

    private static List<(string Relative, string Text)> Files(string name, string seamVersion, string? feed)
    {
        var project = ProjectName(name);
        List<(string Relative, string Text)> files =
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
                    <!-- The host shares its own copy of the seam with the plugin: compile against it, do not ship one. -->
                    <PackageReference Include="VisionAgent.Abstractions" Version="{seamVersion}" ExcludeAssets="runtime" />
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

                """),
            ($"tests/{project}.Tests/{project}.Tests.csproj", $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <IsPackable>false</IsPackable>
                  </PropertyGroup>
                  <ItemGroup>
                    <ProjectReference Include="../../{project}.csproj" />
                    <PackageReference Include="VisionAgent.Abstractions" Version="{seamVersion}" />
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
        if (feed is not null)
        {
            files.Add(("nuget.config", $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <!-- VisionAgent.Abstractions comes from this folder; every other package from the usual sources. -->
                  <packageSources>
                    <add key="{FeedKey}" value="{SecurityElement.Escape(feed)}" />
                  </packageSources>
                </configuration>

                """));
        }
        return files;
    }
}
