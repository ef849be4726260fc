using Spectre.Console;
using VisionAgent.Abstractions;
using VisionAgent.Core.Agent;
using VisionAgent.Imaging;
using VisionAgent.Imaging.Preview;

namespace VisionAgent.Cli.Rendering.Previews;

/// <summary>
/// Shows the images an expert produced right under its observation, in whatever picture protocol the terminal
/// speaks, sized to the terminal (at most <see cref="MaxColumns"/> x <see cref="MaxRows"/> cells).
/// </summary>
public sealed class TerminalPreview(TextWriter terminal, PreviewProtocol protocol, ImageLoader loader, IImageStore images, int terminalColumns)
{
    public const int MaxColumns = 48;
    public const int MaxRows = 20;

    // Cell size assumed when converting between pixels and cells; the terminal scales to the cells it is given.
    private const int CellWidth = 8;
    private const int CellHeight = 16;

    public PreviewProtocol Protocol => protocol;

    /// <summary>A preview for a terminal console, or null where previews are off (see <see cref="PreviewProtocols.Detect"/>).</summary>
    public static TerminalPreview? Create(IAnsiConsole console, bool disabled, ImageLoader loader, IImageStore images)
    {
        var isTerminal = console.Profile.Capabilities.Interactive && console.Profile.Capabilities.Ansi;
        var protocol = PreviewProtocols.Detect(Environment.GetEnvironmentVariable, isTerminal, disabled);
        return protocol == PreviewProtocol.Off ? null : new TerminalPreview(console.Profile.Out.Writer, protocol, loader, images, console.Profile.Width);
    }

    public void ShowProduced(AgentStep step)
    {
        foreach (var handle in step.ImagesProduced)
        {
            if (images.TryGet(handle, out var record)) Show(record.Path);
        }
    }

    public void Show(string path)
    {
        string text;
        try
        {
            text = Render(path);
        }
        catch (VisionAgentException ex)
        {
            text = $"(no preview: {ex.Message.Split('\n')[0]})\n";
        }
        terminal.Write(text);
        terminal.Flush();
    }

    /// <summary>The escape sequences that draw <paramref name="path"/>.</summary>
    public string Render(string path)
    {
        var columns = Math.Clamp(terminalColumns - 2, 8, MaxColumns);
        if (protocol == PreviewProtocol.HalfBlocks)
            return PreviewEncoders.HalfBlocks(PreviewImage.Load(loader, path, columns, MaxRows * 2));
        var image = PreviewImage.Load(loader, path, columns * CellWidth, MaxRows * CellHeight);
        if (protocol == PreviewProtocol.Sixel) return PreviewEncoders.Sixel(image);
        var cells = (Columns: (image.Width + CellWidth - 1) / CellWidth, Rows: (image.Height + CellHeight - 1) / CellHeight);
        var png = image.EncodePng();
        return protocol == PreviewProtocol.Kitty
            ? PreviewEncoders.Kitty(png, cells.Columns, cells.Rows)
            : PreviewEncoders.ITerm2(png, cells.Columns, cells.Rows);
    }
}
