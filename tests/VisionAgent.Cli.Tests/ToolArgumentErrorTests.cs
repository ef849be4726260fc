using VisionAgent.Core.Configuration;
using VisionAgent.Hosting;
using VisionAgent.Testing;

namespace VisionAgent.Cli.Tests;

/// <summary>
/// A tool argument of the wrong kind (<c>--arg min_confidence=abc</c>, or the same from the LLM) is refused before
/// the expert runs, naming the argument and the kind it expects in plain words: every typed parameter of every
/// built-in tool is tried.
/// </summary>
public sealed class ToolArgumentErrorTests
{
    private const string NotAValue = "abc-not-a-value";

    [Fact]
    public async Task Every_typed_parameter_of_every_tool_names_what_it_expects()
    {
        await using var host = await AgentHost.CreateAsync(new AgentHostOptions { Config = new VisionAgentConfig(), OfflineModels = true }, CancellationToken.None);
        var image = host.Images.AddInput(RepositoryPaths.SampleImage("coffee.png")).Handle;
        var tried = 0;

        foreach (var tool in host.Registry.Tools)
        {
            foreach (var parameter in tool.Parameters.Where(p => p.ParameterType is { } t && ExpectedKind(t) is not null))
            {
                var outcome = await host.Invoker.InvokeAsync(tool.Name, new Dictionary<string, string> { ["image"] = image, [parameter.Name] = NotAValue }, null, CancellationToken.None);

                Assert.True(outcome.Failed, $"{tool.Name} {parameter.Name} ran");
                Assert.Equal($"Argument '{parameter.Name}' of {tool.Name} expects {ExpectedKind(parameter.ParameterType!)}, got '{NotAValue}'.", outcome.Problem ?? outcome.Observation);
                Assert.Null(TypeNameLeaks.Find(outcome.Observation));
                tried++;
            }
        }

        Assert.True(tried >= 10, $"only {tried} typed parameters");
    }

    [Fact]
    public async Task Tool_command_with_a_wrong_argument_exits_3_with_one_plain_line()
    {
        var run = await CliRunner.RunAsync("tool", "ocr", "--image", RepositoryPaths.SampleImage("coffee.png"), "--arg", "min_confidence=high");

        Assert.Equal(3, run.ExitCode);
        Assert.Equal("error: Argument 'min_confidence' of ocr expects a number, got 'high'.", run.Error.Trim());
    }

    /// <summary>The kind, worked out here from the parameter's type; null for text and other types any value fits.</summary>
    private static string? ExpectedKind(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(int) || type == typeof(long)) return "a whole number";
        if (type == typeof(double) || type == typeof(float)) return "a number";
        if (type == typeof(bool)) return "true or false";
        if (type.IsEnum) return "one of: " + string.Join(", ", Enum.GetNames(type).Select(n => n.ToLowerInvariant()));
        return null;
    }
}
