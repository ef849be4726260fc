using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using VisionAgent.Abstractions;
using VisionAgent.Core.Agent;
using VisionAgent.Imaging;
using VisionAgent.Imaging.Masks;

namespace VisionAgent.Evaluation.Recording;

/// <summary>
/// Runs every tool call and writes it, its outcome and the checksums and mask coverage of produced images into a
/// cassette; images are read through the host's loader, so its image limits apply.
/// </summary>
public sealed class RecordingToolInterceptor(List<ToolExchange> exchanges, CassetteCursor cursor, ImageLoader loader) : IToolCallInterceptor
{
    public async Task<ToolOutcome> InvokeAsync(ToolCallRequest call, Func<CancellationToken, Task<ToolOutcome>> next, CancellationToken cancellationToken)
    {
        var outcome = await next(cancellationToken);
        exchanges.Add(new ToolExchange
        {
            Turn = cursor.Turn,
            Call = ++cursor.ToolCall,
            Tool = call.Tool,
            Arguments = new Dictionary<string, string>(call.Arguments, StringComparer.Ordinal),
            Positional = call.Positional,
            ResolvedTool = outcome.Tool,
            MappedArguments = new Dictionary<string, string>(outcome.Arguments, StringComparer.Ordinal),
            Observation = outcome.Observation,
            Failed = outcome.Failed,
            Problem = outcome.Problem,
            Ms = outcome.DurationMs,
            Images = outcome.Result?.Images.Select(i => new CassetteImage
            {
                Handle = i.Handle,
                Kind = i.Kind,
                Parent = i.Parent ?? "",
                Operation = i.Operation ?? "",
                Width = i.Width,
                Height = i.Height,
                Format = i.Format,
                Sha256 = MessageRendering.Sha256OfFile(i.Path),
                Coverage = Math.Round(MaskFiles.LoadMask(i.Path, loader, MaskChannel.Auto).Coverage, 6),
                Parameters = new Dictionary<string, string>(i.Parameters, StringComparer.Ordinal),
            }).ToList() ?? [],
        });
        return outcome;
    }
}

/// <summary>
/// Answers tool calls from a cassette without running any expert (frozen experts). Produced images come back
/// as blank placeholders of the recorded size so their handles, kinds and sizes match the recording.
/// </summary>
public sealed class FrozenToolInterceptor(IReadOnlyList<ToolExchange> exchanges, CassetteCursor cursor, IImageStore images) : IToolCallInterceptor
{
    private int _next;

    public Task<ToolOutcome> InvokeAsync(ToolCallRequest call, Func<CancellationToken, Task<ToolOutcome>> next, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var number = ++cursor.ToolCall;
        var actual = Describe(call.Tool, call.Arguments, call.Positional);
        if (_next >= exchanges.Count) throw Diverged(number, $"{exchanges.Count} recorded tool calls", actual);
        var recorded = exchanges[_next++];
        var expected = Describe(recorded.Tool, recorded.Arguments, recorded.Positional);
        if (recorded.Turn != cursor.Turn || expected != actual) throw Diverged(number, $"turn {recorded.Turn}: {expected}", actual);

        var produced = new List<ImageRecord>();
        foreach (var image in recorded.Images)
        {
            var path = images.NewOutputPath(image.Parent, image.Kind);
            WritePlaceholder(path, image);
            var record = images.AddProduced(path, image.Parent, image.Operation, image.Kind, image.Parameters);
            if (record.Handle != image.Handle) throw Diverged(number, $"produced image {image.Handle}", $"handle {record.Handle}");
            produced.Add(record);
        }
        var result = new ExpertResult { Observation = recorded.Observation, Images = produced };
        var outcome = new ToolOutcome(recorded.ResolvedTool, recorded.Observation, recorded.Failed ? null : result, recorded.Failed, recorded.Ms, recorded.MappedArguments)
        {
            Problem = recorded.Failed ? recorded.Problem ?? recorded.Observation : null,
        };
        return Task.FromResult(outcome);
    }

    /// <summary>
    /// A greyscale image of the recorded size whose share of white pixels is the recorded coverage, so size and
    /// coverage checks score a frozen replay as they scored the recording.
    /// </summary>
    private static void WritePlaceholder(string path, CassetteImage image)
    {
        var width = Math.Max(1, image.Width);
        var height = Math.Max(1, image.Height);
        using var placeholder = new Image<L8>(width, height);
        var inside = (long)Math.Round((image.Coverage ?? 0) * width * height);
        placeholder.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height && inside > 0; y++)
            {
                var row = rows.GetRowSpan(y);
                var count = (int)Math.Min(inside, row.Length);
                row[..count].Fill(new L8(255));
                inside -= count;
            }
        });
        OutputFile.Write(path, placeholder.SaveAsPng);
    }

    private static string Describe(string tool, IReadOnlyDictionary<string, string> arguments, string? positional) =>
        tool + " " + string.Join(", ", arguments.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}={a.Value}")) +
        (positional is null ? "" : $" [{positional}]");

    private ReplayDivergenceException Diverged(int call, string expected, string actual) =>
        new(new Divergence { Turn = cursor.Turn, Step = call, Kind = "tool_call", Expected = expected, Actual = actual });
}
