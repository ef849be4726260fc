using VisionAgent.Abstractions;

namespace VisionAgent.ExternalExperts.Mcp;

/// <summary>Image bytes that arrive over MCP, in either direction: their type, and how they become a handle.</summary>
public static class McpImageFiles
{
    /// <summary>Saves bytes from outside (a client's upload, a server's image without a parent) as a new input image.</summary>
    public static ImageRecord SaveAsInput(IImageStore images, byte[] bytes, string namePrefix)
    {
        var extension = Extension(bytes);
        var (path, _) = OutputFile.Reserve(images.OutputDirectory, n => $"{namePrefix}{n}{extension}", 1);
        OutputFile.Write(path, stream => stream.Write(bytes));
        return RegisterOrDelete(path, () => images.AddInput(path));
    }

    /// <summary>Registers a file just written from outside bytes; bytes the store refuses leave no file behind.</summary>
    public static ImageRecord RegisterOrDelete(string path, Func<ImageRecord> register)
    {
        try
        {
            return register();
        }
        catch (BadInputException)
        {
            File.Delete(path);
            throw;
        }
    }

    /// <summary>The file extension for image bytes, by their magic number (PNG when unknown: the loader checks the real format).</summary>
    public static string Extension(ReadOnlySpan<byte> bytes) => bytes switch
    {
        [0xFF, 0xD8, ..] => ".jpg",
        [(byte)'R', (byte)'I', (byte)'F', (byte)'F', ..] => ".webp",
        [(byte)'B', (byte)'M', ..] => ".bmp",
        [(byte)'G', (byte)'I', (byte)'F', ..] => ".gif",
        _ => ".png",
    };

    public static string MimeType(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".jpg" or ".jpeg" => "image/jpeg",
        ".webp" => "image/webp",
        ".bmp" => "image/bmp",
        ".gif" => "image/gif",
        _ => "image/png",
    };
}
