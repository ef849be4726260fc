using VisionAgent.Abstractions;
using VisionAgent.Core.Configuration;

namespace VisionAgent.Core.Tests;

public sealed class ConfigLoaderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("visionagent-config-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string yaml)
    {
        var path = Path.Combine(_folder, $"{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    private VisionAgentConfig Load(string yaml, ConfigOverrides? overrides = null) =>
        ConfigLoader.Load((overrides ?? new ConfigOverrides()) with { ConfigPath = Write(yaml) }, _ => null, _folder);

    private BadInputException Refused(string yaml, ConfigOverrides? overrides = null) =>
        Assert.Throws<BadInputException>(() => Load(yaml, overrides));

    [Fact]
    public void Streaming_is_on_by_default_and_its_keys_are_read_and_bounded()
    {
        var defaults = Load("agent:\n  max_steps: 3\n");
        var configured = Load("llm:\n  stream: false\n  stream_idle_seconds: 7.5\n");
        var error = Refused("llm:\n  stream_idle_seconds: 0\n");

        Assert.True(defaults.Llm.Stream);
        Assert.Equal(60, defaults.Llm.StreamIdleSeconds);
        Assert.False(configured.Llm.Stream);
        Assert.Equal(7.5, configured.Llm.StreamIdleSeconds);
        Assert.Contains(".yaml:2: llm.stream_idle_seconds 0 is out of range; allowed: 0.1 to 86,400", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("llm:\n", 1, "llm")]
    [InlineData("agent:\n", 1, "agent")]
    [InlineData("images: ~\n", 1, "images")]
    [InlineData("onnx: null\n", 1, "onnx")]
    [InlineData("agent:\n  max_steps: 3\nplugins:\n", 3, "plugins")]
    [InlineData("experts:\n", 1, "experts")]
    [InlineData("experts:\n  ocr:\n", 2, "experts.ocr")]
    [InlineData("experts:\n  ocr:\n    models:\n      det:\n", 4, "experts.ocr.models.det")]
    [InlineData("plugins: [a, ~]\n", 1, "plugins[1]")]
    [InlineData("mcp_servers:\n  fs:\n", 2, "mcp_servers.fs")]
    [InlineData("mcp_servers:\n  fs:\n    args: [x]\n", 2, "mcp_servers.fs.command")]
    public void Empty_section_or_entry_names_the_file_line_and_key(string yaml, int line, string key)
    {
        var error = Refused(yaml);

        Assert.Equal(ExitCodes.BadInput, error.ExitCode);
        Assert.Contains($".yaml:{line}: {key} is empty", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData("images:\n  memory_limit_mb: 0\n", 2, "images.memory_limit_mb", "0 is out of range; allowed: 16 to 65,536")]
    [InlineData("images:\n  max_width: -1\n", 2, "images.max_width", "-1 is out of range; allowed: 1 to 65,535")]
    [InlineData("images:\n  max_height: -5\n", 2, "images.max_height", "allowed: 1 to 65,535")]
    [InlineData("images:\n  max_megapixels: -1\n", 2, "images.max_megapixels", "allowed: 0.01 to 4,096")]
    [InlineData("llm:\n  model: m\n  retry_delay_seconds: -1\n", 3, "llm.retry_delay_seconds", "allowed: 0 to 600")]
    [InlineData("llm:\n  retry_delay_seconds: 1e308\n", 2, "llm.retry_delay_seconds", "1E+308 is out of range")]
    [InlineData("llm:\n  max_retries: 2147483647\n", 2, "llm.max_retries", "allowed: 0 to 10")]
    [InlineData("llm:\n  max_tokens: 0\n", 2, "llm.max_tokens", "allowed: 1 to 1,048,576")]
    [InlineData("llm:\n  temperature: .inf\n", 2, "llm.temperature", "infinite is out of range; allowed: 0 to 2")]
    [InlineData("llm:\n  temperature: .nan\n", 2, "llm.temperature", "not a number is out of range")]
    [InlineData("llm:\n  timeout_seconds: 0\n", 2, "llm.timeout_seconds", "allowed: 0.1 to 86,400")]
    [InlineData("agent:\n  timeout_seconds: -.inf\n", 2, "agent.timeout_seconds", "infinite")]
    [InlineData("agent:\n  max_steps: 0\n", 2, "agent.max_steps", "allowed: 1 to 100")]
    [InlineData("agent:\n  history_turns: -1\n", 2, "agent.history_turns", "allowed: 0 to 1,000")]
    [InlineData("onnx:\n  threads: -2\n", 2, "onnx.threads", "allowed: 0 to 1,024")]
    [InlineData("agent:\n  mode: plan\n", 2, "agent.mode", "'plan' is not allowed; allowed: react, tools")]
    [InlineData("onnx:\n  device: tpu\n", 2, "onnx.device", "allowed: cpu, cuda")]
    [InlineData("llm:\n  endpoint: ftp://x\n", 2, "llm.endpoint", "is not an http(s) URL")]
    [InlineData("plugins: [\"a\\0b\"]\n", 1, "plugins[0]", "contains a NUL character")]
    [InlineData("plugins:\n  - ok\n  - \"  \"\n", 3, "plugins[1]", "is empty")]
    [InlineData("models_dir: \"x\\0\"\n", 1, "models_dir", "NUL")]
    [InlineData("experts:\n  ocr:\n    models:\n      det: \"/m\\0.onnx\"\n", 4, "experts.ocr.models.det", "NUL")]
    public void Out_of_range_value_names_the_file_line_key_and_allowed_range(string yaml, int line, string key, string problem)
    {
        var error = Refused(yaml);

        Assert.Equal(ExitCodes.BadInput, error.ExitCode);
        Assert.Matches($@"\.yaml:{line}: {System.Text.RegularExpressions.Regex.Escape(key)} ", error.Message);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData("llm:\n  max_retries: 99999999999\n", 2, "llm.max_retries")]
    [InlineData("llm:\n  max_tokens: lots\n", 2, "llm.max_tokens")]
    public void Unreadable_value_names_the_line_and_key(string yaml, int line, string key)
    {
        var error = Refused(yaml);

        Assert.Contains($".yaml:{line}: invalid configuration: {key}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("images:\n  memory_limit_megabytes: 512\n", 2, "images.memory_limit_megabytes is not a known key; allowed under images: max_width, max_height, max_megapixels, memory_limit_mb")]
    [InlineData("llm:\n  model: m\nagnet:\n  max_steps: 3\n", 3, "agnet is not a known key; allowed: llm, agent, onnx, images, experts, plugins, mcp_servers, models_dir")]
    [InlineData("experts:\n  ocr:\n    enabled: true\n    modles: {det: x}\n", 4, "experts.ocr.modles is not a known key; allowed under experts.ocr: models, settings, enabled")]
    [InlineData("mcp_servers:\n  fs:\n    command: npx\n    argv: [x]\n", 4, "mcp_servers.fs.argv is not a known key; allowed under mcp_servers.fs: command, args, env")]
    public void Unknown_key_names_the_line_and_the_keys_allowed_there(string yaml, int line, string message)
    {
        var error = Refused(yaml);

        Assert.EndsWith($".yaml:{line}: {message}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Flag_that_breaks_a_range_is_named_instead_of_the_file()
    {
        var error = Refused("agent:\n  max_steps: 3\n", new ConfigOverrides { MaxSteps = 0 });

        Assert.StartsWith("--max-steps: agent.max_steps 0 is out of range", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Documented_memory_limit_key_is_read()
    {
        var config = Load("images:\n  memory_limit_mb: 256\n  max_width: 4000\nllm:\n  max_tokens: 1\n  temperature: 2\n");

        Assert.Equal(256, config.Images.MemoryLimitMegabytes);
        Assert.Equal(4000, config.Images.MaxWidth);
        Assert.Equal(1, config.Llm.MaxTokens);
    }

    [Fact]
    public void Defaults_are_valid()
    {
        var config = ConfigLoader.Load(new ConfigOverrides(), _ => null, _folder);

        // Image limits left out keep the image loader's defaults (ImageLimits is their one source).
        Assert.Null(config.Images.MemoryLimitMegabytes);
        Assert.Equal(8, config.Agent.MaxSteps);
    }

    [Fact]
    public void Alias_bomb_is_refused_before_it_is_expanded()
    {
        var yaml = new System.Text.StringBuilder("experts:\n  x:\n    settings: {}\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (var i = 1; i <= 9; i++) yaml.Append($"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]\n");

        var error = Refused(yaml.ToString());

        Assert.Contains("once its aliases are expanded", error.Message, StringComparison.Ordinal);
        Assert.Matches(@"\.yaml:\d+: ", error.Message);
    }

    [Fact]
    public void Alias_cycle_is_refused_with_its_line()
    {
        var error = Refused("agent:\n  max_steps: 3\nplugins: &p [a, *p]\n");

        Assert.Contains(".yaml:3: the alias *p is inside the node it names", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deep_nesting_is_refused_with_its_line()
    {
        var error = Refused("llm: " + new string('[', 50_000) + new string(']', 50_000) + "\n");

        Assert.Contains(".yaml:1: nested more than 64 levels deep", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void File_over_the_size_limit_is_refused_unread()
    {
        var path = Write("# " + new string('x', YamlInputGuard.MaxBytes) + "\n");

        var error = Assert.Throws<BadInputException>(() => ConfigLoader.Load(new ConfigOverrides { ConfigPath = path }, _ => null, _folder));

        Assert.Contains(":1: the file is", error.Message, StringComparison.Ordinal);
        Assert.Contains("up to 4 MiB", error.Message, StringComparison.Ordinal);
    }
}
