using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace VisionAgent.Evaluation.Recording;

/// <summary>Renders chat messages as plain text for cassettes and request comparison (images by checksum).</summary>
public static class MessageRendering
{
    public static List<CassetteMessage> Render(ChatHistory history) =>
        history.Select(m => new CassetteMessage { Role = m.Role.Label, Content = Render(m) }).ToList();

    public static string Render(ChatMessageContent message)
    {
        if (message.Items.Count == 0) return message.Content ?? "";
        var builder = new StringBuilder();
        foreach (var item in message.Items)
        {
            if (builder.Length > 0) builder.Append('\n');
            switch (item)
            {
                case TextContent text:
                    builder.Append(text.Text);
                    break;
                case ImageContent image:
                    var bytes = image.Data?.ToArray() ?? [];
                    builder.Append("[image ").Append(image.MimeType).Append(" sha256:").Append(Sha256(bytes)).Append(']');
                    break;
                case FunctionCallContent call:
                    builder.Append("[call ").Append(call.Id).Append(' ').Append(call.PluginName).Append('.').Append(call.FunctionName)
                        .Append(' ').Append(JsonSerializer.Serialize(ArgumentTexts(call.Arguments))).Append(']');
                    break;
                case FunctionResultContent result:
                    builder.Append("[result ").Append(result.CallId).Append("] ").Append(result.Result);
                    break;
                default:
                    builder.Append('[').Append(item.GetType().Name).Append(']');
                    break;
            }
        }
        return builder.ToString();
    }

    public static SortedDictionary<string, string> ArgumentTexts(KernelArguments? arguments)
    {
        var texts = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (arguments is null) return texts;
        foreach (var (key, value) in arguments)
            texts[key] = value switch { null => "", JsonElement e => e.ValueKind == JsonValueKind.String ? e.GetString() ?? "" : e.GetRawText(), _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "" };
        return texts;
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static string Sha256OfFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
