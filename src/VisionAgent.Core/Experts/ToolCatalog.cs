using System.Text;
using Microsoft.SemanticKernel;
using VisionAgent.Core.Prompts;

namespace VisionAgent.Core.Experts;

/// <summary>Renders the tool list of the system prompt from the experts' kernel-function metadata.</summary>
public static class ToolCatalog
{
    public static string Describe(ExpertRegistry registry, string lineTemplate)
    {
        var builder = new StringBuilder();
        // A function whose models are not installed is not offered: the model could only fail to call it.
        foreach (var tool in registry.Tools.Where(t => registry.Unavailable(t) is null))
        {
            if (builder.Length > 0) builder.Append('\n');
            builder.Append(PromptLibrary.Fill(lineTemplate, new Dictionary<string, string>
            {
                ["name"] = tool.Name,
                ["parameters"] = DescribeParameters(tool.Parameters),
                ["description"] = tool.Function.Description.Length > 0 ? tool.Function.Description : tool.Expert.Manifest.Description,
            }));
        }
        return builder.Length == 0 ? "(no tools available)" : builder.ToString();
    }

    public static string DescribeParameters(IReadOnlyList<KernelParameterMetadata> parameters) =>
        string.Join(", ", parameters.Select(p =>
        {
            var text = p.IsRequired ? p.Name : p.Name + "?";
            return string.IsNullOrEmpty(p.Description) ? text : $"{text}: {p.Description}";
        }));
}
