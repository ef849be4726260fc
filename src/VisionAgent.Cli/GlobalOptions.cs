using System.CommandLine;
using VisionAgent.Core.Configuration;

namespace VisionAgent.Cli;

/// <summary>Options every command accepts.</summary>
public static class GlobalOptions
{
    public static readonly Option<string?> Config = new("--config") { Description = "Configuration file (default: ./visionagent.yaml or $VISIONAGENT_CONFIG)", Recursive = true };
    public static readonly Option<string?> Llm = new("--llm") { Description = "LLM provider: openai (any OpenAI-compatible endpoint) or offline", Recursive = true };
    public static readonly Option<string?> LlmEndpoint = new("--llm-endpoint") { Description = "OpenAI-compatible base URL, e.g. http://localhost:11434/v1", Recursive = true };
    public static readonly Option<string?> LlmModel = new("--llm-model") { Description = "Model name at the endpoint", Recursive = true };
    public static readonly Option<bool> LlmVision = new("--llm-vision") { Description = "The model can see images: attach them to the question", Recursive = true };
    public static readonly Option<string?> Device = new("--device") { Description = "Where models run: cpu or cuda", Recursive = true };
    public static readonly Option<bool> Offline = new("--offline") { Description = "Never download models", Recursive = true };
    public static readonly Option<string?> Output = new("--output") { Description = "Folder for images the experts create", Recursive = true };

    public static readonly Option<bool> NoPreview = new("--no-preview") { Description = "Do not draw produced images in the terminal (NO_COLOR and redirected output turn previews off too)", Recursive = true };

    public static readonly Option<bool> NoStream = new("--no-stream") { Description = "Show the model's thought only once its reply is complete (llm.stream: false does the same)", Recursive = true };

    public static IEnumerable<Option> All => [Config, Llm, LlmEndpoint, LlmModel, LlmVision, Device, Offline, Output, NoPreview, NoStream];

    static GlobalOptions()
    {
        Llm.AcceptOnlyFromAmong("openai", "offline");
        Device.AcceptOnlyFromAmong("cpu", "cuda");
    }

    public static ConfigOverrides Overrides(ParseResult parse, int? maxSteps = null, string? mode = null, double? timeout = null) => new()
    {
        ConfigPath = parse.GetValue(Config),
        LlmProvider = parse.GetValue(Llm),
        LlmEndpoint = parse.GetValue(LlmEndpoint),
        LlmModel = parse.GetValue(LlmModel),
        LlmVision = parse.GetValue(LlmVision) ? true : null,
        Device = parse.GetValue(Device),
        MaxSteps = maxSteps,
        Mode = mode,
        TimeoutSeconds = timeout,
    };
}
