using System.Text.Json;
using VisionAgent.Testing;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace VisionAgent.Abstractions.Tests;

public class ExpertManifestReaderTests
{
    /// <summary>Every manifest in the repository: the built-in experts, the sample plugin and the test plugins.</summary>
    public static TheoryData<string> RepositoryManifests()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.EnumerateFiles(RepositoryPaths.Root, "expert.yaml", SearchOption.AllDirectories)
                     .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                                 && !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                                 && !p.Contains("node_modules", StringComparison.Ordinal))
                     .Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(RepositoryPaths.Root, path));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(RepositoryManifests))]
    public void Reads_every_repository_manifest_as_the_reflection_deserializer_does(string relativePath)
    {
        var text = StripRemoteSection(File.ReadAllText(Path.Combine(RepositoryPaths.Root, relativePath)));
        var expected = new DeserializerBuilder()
            .WithNamingConvention(UnderscoredNamingConvention.Instance)
            .WithEnforceRequiredMembers()
            .Build()
            .Deserialize<ExpertManifest>(text);

        var actual = ExpertManifestReader.Parse(text, relativePath);

        Assert.Equal(JsonSerializer.Serialize(expected), JsonSerializer.Serialize(actual));
        Assert.NotEmpty(actual.Description);
    }

    [Fact]
    public void Reads_every_field_with_defaults_for_the_missing_ones()
    {
        var manifest = ExpertManifestReader.Parse("""
            name: probe
            description: >-
              Folded
              text
            routing:
              - examples: [read it]
                keywords: [read]
                function: read
                arguments: { op: x }
                after: [detect]
                slots: { region: box }
                require: [region|image]
                answer: "{observation}"
            models:
              - name: weights
                file: w.onnx
                size: 1_024
                sha256: 30a86f5731181461d08021402766601e4302a9b9b9666be8aff402696339cdff
                required: no
                group: small
                auto_fetch: yes
                needed_by: [read]
                sources:
                  - npm: "@scope/pkg@1.0.0"
                    path: package/w.onnx
                  - url: https://example.invalid/w.onnx
              - name: labels
                file: labels.txt
            settings:
              threshold: 0.5
              empty: ""
              unset:
            license: MIT
            """, "probe.yaml");

        Assert.Equal("Folded text", manifest.Description);
        Assert.Equal("code", manifest.Kind);
        var rule = Assert.Single(manifest.Routing);
        Assert.Equal(["read it"], rule.Examples);
        Assert.Equal("x", rule.Arguments["op"]);
        Assert.Equal(["region|image"], rule.Require);
        Assert.Equal("{observation}", rule.Answer);
        var weights = manifest.Models[0];
        Assert.Equal(1024, weights.Size);
        Assert.False(weights.Required);
        Assert.True(weights.AutoFetch);
        Assert.Equal(["read"], weights.NeededBy);
        Assert.Equal(["npm @scope/pkg@1.0.0", "https://example.invalid/w.onnx"], weights.Sources.Select(s => s.Describe()));
        var labels = manifest.Models[1];
        Assert.True(labels.Required);
        Assert.False(labels.AutoFetch);
        Assert.Null(labels.Size);
        Assert.Empty(labels.Sources);
        Assert.Equal("0.5", manifest.Settings["threshold"]);
        Assert.Equal("", manifest.Settings["empty"]);
        Assert.False(manifest.Settings.ContainsKey("unset"));
        Assert.Equal("MIT", manifest.License);
    }

    [Fact]
    public void Expands_aliases_so_files_can_share_their_sources()
    {
        var manifest = ExpertManifestReader.Parse("""
            name: shared
            description: d
            models:
              - name: a
                file: a.onnx
                sources: &pkg
                  - npm: "pkg@1.0.0"
                    path: package/a.onnx
              - name: b
                file: b.onnx
                sources: *pkg
            """, "shared.yaml");

        Assert.Equal("npm pkg@1.0.0", Assert.Single(manifest.Models[1].Sources).Describe());
        Assert.Equal("package/a.onnx", manifest.Models[1].Sources[0].Path);
    }

    [Theory]
    [InlineData("description: d", "shared.yaml:1: invalid expert manifest: the manifest needs 'name'")]
    [InlineData("name: x\ndescription: d\nsetings: {}", "shared.yaml:3: invalid expert manifest: unknown key 'setings' in the manifest; known keys: name, description, kind, assembly, routing, models, settings, license")]
    [InlineData("name: x\ndescription: d\nname: y", "shared.yaml:3: invalid expert manifest: 'name' appears twice in the manifest")]
    [InlineData("name: x\ndescription: d\nmodels:\n  - name: m\n    file: f\n    size: big", "shared.yaml:6: invalid expert manifest: 'size' expects a whole number, got 'big'")]
    [InlineData("name: x\ndescription: d\nmodels:\n  - name: m\n    file: f\n    auto_fetch: maybe", "shared.yaml:6: invalid expert manifest: 'auto_fetch' expects true or false, got 'maybe'")]
    [InlineData("name: x\ndescription: d\nmodels:\n  - name: m", "shared.yaml:4: invalid expert manifest: models[0] needs 'file'")]
    [InlineData("name: x\ndescription: d\nmodels: many", "shared.yaml:3: invalid expert manifest: 'models' must be a list, got 'many'")]
    [InlineData("name: [x]\ndescription: d", "shared.yaml:1: invalid expert manifest: 'name' must be a single value, got a list")]
    [InlineData("name: x\ndescription: d\nsettings:\n  threshold: { low: 1 }", "shared.yaml:4: invalid expert manifest: 'settings.threshold' must be a single value, got a mapping")]
    [InlineData("name: x\ndescription: d\nsettings:\n  a: 1\n  a: 2", "shared.yaml:5: invalid expert manifest: 'a' appears twice in 'settings'")]
    [InlineData("name: x\ndescription: d\nrouting:\n  - examples: [a]\n    colour: red", "shared.yaml:5: invalid expert manifest: unknown key 'colour' in routing[0]; known keys: examples, keywords, function, arguments, after, slots, require, answer")]
    [InlineData("name: x\ndescription: d\nmodels:\n  - name: m\n    file: f\n    sources:\n      - npm: p@1\n        mirror: y", "shared.yaml:8: invalid expert manifest: unknown key 'mirror' in models[0].sources[0]; known keys: npm, nuget, url, path, chunk_index, chunk_key")]
    [InlineData("- name: x", "shared.yaml:1: invalid expert manifest: the manifest must be a mapping of keys to values, got a list")]
    [InlineData("name: x\ndescription: d\n---\nname: y\ndescription: d", "shared.yaml:3: invalid expert manifest: the file holds more than one YAML document; a manifest is one document")]
    [InlineData("name: x\ndescription: *nowhere", "shared.yaml:2: invalid expert manifest: the alias *nowhere names no anchor before it (or the node it names is not finished)")]
    [InlineData("", "shared.yaml: the expert manifest is empty")]
    [InlineData("# only a comment", "shared.yaml: the expert manifest is empty")]
    public void Refuses_what_is_not_a_manifest_in_one_line_naming_the_line(string yaml, string expected)
    {
        var error = Assert.Throws<BadInputException>(() => ExpertManifestReader.Parse(yaml, "shared.yaml"));

        Assert.Equal(expected, error.Message);
        Assert.Null(TypeNameLeaks.Find(error.Message, yaml));
    }

    [Theory]
    [InlineData("name: x\ndescription: [d")]
    [InlineData("name: x\n  description: d\n bad")]
    [InlineData("name: 'x\ndescription: d")]
    public void Refuses_invalid_yaml_naming_a_line(string yaml)
    {
        var error = Assert.Throws<BadInputException>(() => ExpertManifestReader.Parse(yaml, "broken.yaml"));

        Assert.Matches(@"^broken\.yaml:\d+: invalid expert manifest: ", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Refuses_an_alias_bomb_quickly()
    {
        // 300 aliases to one source, in a model that 300 aliases repeat: 90,000 sources from a few kilobytes.
        var yaml = "name: x\ndescription: d\nmodels:\n  - &model\n    name: m\n    file: f\n    sources:\n      - &source { npm: p@1, path: a }\n"
            + string.Concat(Enumerable.Repeat("      - *source\n", 299))
            + string.Concat(Enumerable.Repeat("  - *model\n", 300));

        var started = System.Diagnostics.Stopwatch.StartNew();
        var error = Assert.Throws<BadInputException>(() => ExpertManifestReader.Parse(yaml, "bomb.yaml"));

        Assert.Contains("more than 200,000 values once its aliases are expanded", error.Message);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"took {started.Elapsed}");
    }

    [Fact]
    public void Stops_at_the_first_misplaced_node_of_a_deeply_nested_file()
    {
        var yaml = "name: x\ndescription: d\nrouting: " + new string('[', 100_000) + new string(']', 100_000);

        var error = Assert.Throws<BadInputException>(() => ExpertManifestReader.Parse(yaml, "deep.yaml"));

        Assert.Equal("deep.yaml:3: invalid expert manifest: routing[0] must be a mapping of keys to values, got a list", error.Message);
    }

    /// <summary>The <c>remote:</c> section of a plugin folder's manifest is read by the plugin loader, not by the shared schema.</summary>
    private static string StripRemoteSection(string text)
    {
        var lines = text.Split('\n').ToList();
        var start = lines.FindIndex(l => l.StartsWith("remote:", StringComparison.Ordinal));
        if (start < 0) return text;
        var end = start + 1;
        while (end < lines.Count && (lines[end].StartsWith(' ') || lines[end].Trim().Length == 0)) end++;
        lines.RemoveRange(start, end - start);
        return string.Join('\n', lines);
    }
}
