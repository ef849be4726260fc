using System.Text.RegularExpressions;
using VisionAgent.Abstractions;
using VisionAgent.Core.Configuration;
using VisionAgent.Evaluation.Tasks;
using VisionAgent.Testing;
using Xunit.Abstractions;

namespace VisionAgent.Evaluation.Tests;

/// <summary>
/// Seeded mutations of valid configuration and task files through the real loaders: each one loads, or is refused
/// with a <see cref="BadInputException"/> (exit 3) whose every line names the file and a line number and no .NET
/// type. Any other
/// exception fails the test with the input that caused it.
/// </summary>
public sealed class ConfigAndTaskFileFuzzTests(ITestOutputHelper output) : IDisposable
{
    private const int Cases = 400;

    private const string FullConfig = """
        llm:
          provider: openai
          endpoint: http://localhost:11434/v1
          model: qwen2.5:7b-instruct
          vision: false
          temperature: 0.2
          max_tokens: 1024
          timeout_seconds: 300
          max_retries: 3
          retry_delay_seconds: 2
        agent:
          mode: react
          max_steps: 8
          timeout_seconds: 300
          history_turns: 12
        onnx:
          device: cpu
          threads: 2
        images:
          max_width: 8000
          max_height: 8000
          max_megapixels: 40
          memory_limit_mb: 512
        plugins: [plugins/extra, /opt/visionagent/plugins]
        experts:
          ocr:
            enabled: true
            models: {det: /models/det.onnx}
            settings: {language: en}
          edit: {enabled: false}
        mcp_servers:
          files:
            command: npx
            args: [-y, server-filesystem, /tmp]
            env: {DEBUG: "1"}
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("visionagent-fuzz-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Mutated_config_files_load_or_are_refused_with_file_and_line()
    {
        var seeds = new[] { FullConfig }
            .Concat(Directory.EnumerateFiles(RepositoryPaths.Samples, "visionagent*.yaml", SearchOption.AllDirectories)
                .Order(StringComparer.Ordinal)
                .Select(File.ReadAllText))
            .ToList();
        var mutator = new YamlMutator(seed: 20_261_204);

        Fuzz("config", i =>
        {
            var path = Path.Combine(_folder, $"config-{i:D3}.yaml");
            var text = mutator.Mutate(seeds[i % seeds.Count]);
            File.WriteAllText(path, text);
            return (text, path);
        }, (_, path) => ConfigLoader.Load(new ConfigOverrides { ConfigPath = path }, _ => null, _folder));
    }

    [Fact]
    public void Mutated_task_files_load_or_are_refused_with_file_and_line()
    {
        var seedFiles = Directory.EnumerateFiles(RepositoryPaths.SampleTasks, "*.yaml")
            .Concat(Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Samples, "benchmark"), "*.yaml"))
            .Order(StringComparer.Ordinal)
            .ToList();
        var mutator = new YamlMutator(seed: 4_122_026);

        Fuzz("task-file", i =>
        {
            var seed = seedFiles[i % seedFiles.Count];
            // Named beside the original (never written), so its relative image paths still resolve.
            return (mutator.Mutate(File.ReadAllText(seed)), Path.Combine(Path.GetDirectoryName(seed)!, $"fuzz-{i:D3}.yaml"));
        }, (text, path) => TaskFileReader.Parse(text, path));
    }

    /// <summary>Loads <see cref="Cases"/> mutants; each loads or is a bad-input error naming the file and a line.</summary>
    private void Fuzz(string what, Func<int, (string Text, string Path)> mutant, Action<string, string> load)
    {
        int loaded = 0, refused = 0;
        for (var i = 0; i < Cases; i++)
        {
            var (text, path) = mutant(i);
            try
            {
                load(text, path);
                loaded++;
            }
            catch (BadInputException ex)
            {
                AssertNamesFileAndLine(ex.Message, path, text);
                refused++;
            }
            catch (Exception ex) when (ex is not BadInputException)
            {
                Assert.Fail($"{ex.GetType().Name}: {ex.Message} for input:\n{text}");
            }
        }
        output.WriteLine($"{what} fuzz: {Cases} mutants, {loaded} loaded, {refused} refused with file and line");
        Assert.True(refused > Cases / 4, $"only {refused} refused: the mutations are too mild");
    }

    private static void AssertNamesFileAndLine(string message, string path, string input)
    {
        var linePattern = new Regex("^" + Regex.Escape(path) + @":\d+: \S");
        foreach (var line in message.Split(Environment.NewLine))
        {
            Assert.True(linePattern.IsMatch(line), $"no file:line in '{line}' for input:\n{input}");
            Assert.DoesNotContain("   at ", line, StringComparison.Ordinal);
            // What was expected is said in plain words, never as a .NET type name.
            var leak = TypeNameLeaks.Find(line[path.Length..], input);
            Assert.True(leak is null, $"'{leak}' in '{line}' for input:\n{input}");
        }
    }
}
