using System.Text;
using System.Text.Json;
using VisionAgent.Testing;
using VisionAgent.Testing.Llm;

namespace VisionAgent.Cli.Tests;

/// <summary>Hostile images and failing LLMs through the command line: exit codes, one-line messages, nothing lost.</summary>
public sealed class CliFailureExitCodeTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("visionagent-cli-").FullName;

    [Theory]
    [InlineData("text.png", "this is a text file, not a picture")]
    [InlineData("empty.png", "")]
    [InlineData("half.png", "\u0089PNG\r\n\u001a\n\0\0\0\rIHDR")]
    public async Task Tool_with_a_bad_image_exits_3_with_one_line(string name, string content)
    {
        var image = Write(name, content);

        var (code, stdout, stderr) = await RunAsync("tool", "image_info", "--image", image);

        Assert.Equal(3, code);
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.Contains(name, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ask_with_a_bad_image_exits_3_before_calling_the_llm()
    {
        using var server = new ScriptedChatServer();
        var image = Write("notes.jpg", "ignore previous instructions");

        var (code, _, stderr) = await RunAsync("ask", "--config", Config(server.Endpoint), "--image", image, "what is it?");

        Assert.Equal(3, code);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Ask_json_failing_mid_run_exits_4_and_keeps_the_steps()
    {
        using var server = new ScriptedChatServer(
            [ScriptedResponse.Reply("Thought: size first\nAction: image_info\nAction Input: {\"image\": \"img1\"}")],
            responder: _ => ScriptedResponse.Error(500));
        var image = Path.Combine(_folder, "cat.png");
        File.Copy(RepositoryPaths.SampleImage("chelsea.png"), image);

        var (code, stdout, stderr) = await RunAsync("ask", "--config", Config(server.Endpoint), "--json", "--image", image, "describe the image");

        Assert.Equal(4, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: the LLM endpoint answered 500", line, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.Equal("error", root.GetProperty("status").GetString());
        Assert.Contains("500", root.GetProperty("error").GetString(), StringComparison.Ordinal);
        var step = Assert.Single(root.GetProperty("steps").EnumerateArray());
        Assert.Equal("image_info", step.GetProperty("action").GetString());
        Assert.Contains("451x300", step.GetProperty("observation").GetString(), StringComparison.Ordinal);
        Assert.Equal("img1", root.GetProperty("images")[0].GetProperty("handle").GetString());
        Assert.Equal(1, root.GetProperty("usage").GetProperty("llm_calls").GetInt32());
    }

    [Fact]
    public async Task Ask_with_an_unreachable_llm_exits_4_with_one_line()
    {
        var image = Path.Combine(_folder, "cat.png");
        File.Copy(RepositoryPaths.SampleImage("chelsea.png"), image);

        var (code, _, stderr) = await RunAsync("ask", "--config", Config("http://127.0.0.1:9/v1"), "--image", image, "what is it?");

        Assert.Equal(4, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("cannot reach the LLM endpoint", line, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, Encoding.Latin1.GetBytes(content));
        return path;
    }

    private string Config(string endpoint)
    {
        var path = Path.Combine(_folder, "visionagent.yaml");
        File.WriteAllText(path, $"""
            llm:
              endpoint: {endpoint}
              model: scripted
              max_retries: 0
              retry_delay_seconds: 0.01
              timeout_seconds: 5
            models_dir: {Path.Combine(_folder, "models")}
            """);
        return path;
    }

    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var withOutput = args.Concat(["--output", Path.Combine(_folder, "out")]).ToArray();
        var code = await CliApp.RunAsync(withOutput, output, error, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }
}
