using System.Text;
using VisionAgent.Abstractions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace VisionAgent.Core.Configuration;

/// <summary>Where and why a YAML file was refused before anything was built from it.</summary>
public sealed record YamlInputProblem(long Line, string Message);

/// <summary>
/// Bounds a YAML file (a configuration or a task file) before any object is built from it: its size, its
/// nesting depth and the number of nodes it stands for once every alias is expanded (an alias bomb of a few
/// hundred bytes stands for billions); an alias inside the node it names (a cycle) is refused too. One pass over the parser's events, which keeps its own stack, so a file
/// of deeply nested flow sequences cannot overflow ours.
/// </summary>
public static class YamlInputGuard
{
    /// <summary>The largest YAML file read.</summary>
    public const int MaxBytes = 4 << 20;

    /// <summary>The deepest nesting of mappings and sequences accepted.</summary>
    public const int MaxDepth = 64;

    /// <summary>The most nodes a file may stand for, aliases expanded.</summary>
    public const long MaxExpandedNodes = 200_000;

    /// <summary>Reads a YAML file whose size is within <see cref="MaxBytes"/>; a larger one is bad input naming the file.</summary>
    public static string ReadFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        if (!stream.CanSeek || stream.Length > MaxBytes)
            throw new BadInputException($"{path}:1: the file is {(stream.CanSeek ? $"{stream.Length:N0} bytes" : "not a regular file")}; YAML files are read up to {MaxBytes >> 20} MiB");
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    /// <summary>The first reason to refuse <paramref name="text"/>, or null when it is within every bound and parses.</summary>
    public static YamlInputProblem? FindProblem(string text, CancellationToken cancellationToken = default)
    {
        if (text.Length > MaxBytes)
            return new YamlInputProblem(1, $"the text is {text.Length:N0} characters; YAML files are read up to {MaxBytes >> 20} MiB");
        var anchored = new Dictionary<string, long>(StringComparer.Ordinal);
        var open = new Stack<(string? Anchor, long NodesBefore)>();
        long nodes = 0;
        var parser = new LineTrackingParser(text);
        try
        {
            while (parser.MoveNext())
            {
                cancellationToken.ThrowIfCancellationRequested();
                var current = parser.Current!;
                switch (current)
                {
                    case MappingStart or SequenceStart:
                        if (open.Count >= MaxDepth)
                            return new YamlInputProblem(current.Start.Line, $"nested more than {MaxDepth} levels deep");
                        nodes++;
                        open.Push((AnchorOf(current), nodes - 1));
                        break;
                    case MappingEnd or SequenceEnd when open.Count > 0:
                        var (anchor, before) = open.Pop();
                        if (anchor is not null) anchored[anchor] = nodes - before;
                        break;
                    case Scalar scalar:
                        nodes++;
                        if (AnchorOf(scalar) is { } name) anchored[name] = 1;
                        break;
                    case AnchorAlias alias:
                        if (open.Any(o => o.Anchor == alias.Value.Value))
                            return new YamlInputProblem(current.Start.Line, $"the alias *{alias.Value.Value} is inside the node it names (a cycle)");
                        // An alias stands for a copy of everything under its anchor, aliases in it included.
                        nodes += anchored.GetValueOrDefault(alias.Value.Value, 1);
                        break;
                }
                if (nodes > MaxExpandedNodes)
                    return new YamlInputProblem(current.Start.Line, $"stands for more than {MaxExpandedNodes:N0} values once its aliases are expanded");
            }
        }
        catch (YamlException ex)
        {
            return new YamlInputProblem(ex.Start.Line, $"not valid YAML ({FirstLine(ex.Message)})");
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this, without a position, on some unclosed flow collections ("key: [" then
            // block lines); the last event it did read is the best line to name.
            return new YamlInputProblem(parser.Line, UnfollowableStructure);
        }
        return null;
    }

    /// <summary>
    /// The node tree of a file that passed <see cref="Check"/>; a syntax error, or an event sequence YamlDotNet's
    /// tree builder cannot follow, is bad input naming the file and line.
    /// </summary>
    public static YamlStream LoadTree(string text, string file, CancellationToken cancellationToken = default)
    {
        Check(text, file, cancellationToken);
        var stream = new YamlStream();
        var parser = new LineTrackingParser(text);
        try
        {
            stream.Load(parser);
        }
        catch (YamlException ex)
        {
            throw new BadInputException($"{file}:{ex.Start.Line}: not valid YAML ({FirstLine(ex.Message)})", ex);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            // The tree builder throws these, without a position, on events it does not expect (an empty key at the
            // end of a mapping, for one).
            throw new BadInputException($"{file}:{parser.Line}: {UnfollowableStructure}", ex);
        }
        return stream;
    }

    private const string UnfollowableStructure = "not valid YAML (an unclosed '[' or '{', an empty key, or another structure the reader cannot follow, at or after this line)";

    /// <summary>Throws <see cref="BadInputException"/> (<c>file:line: reason</c>) when <see cref="FindProblem"/> finds one.</summary>
    public static void Check(string text, string file, CancellationToken cancellationToken = default)
    {
        if (FindProblem(text, cancellationToken) is { } problem)
            throw new BadInputException($"{file}:{problem.Line}: {problem.Message}");
    }

    /// <summary>A parser that remembers the line of the last event it read, for errors that come without one.</summary>
    private sealed class LineTrackingParser(string text) : IParser
    {
        private readonly Parser _inner = new(new StringReader(text));

        public long Line { get; private set; } = 1;

        public ParsingEvent? Current => _inner.Current;

        public bool MoveNext()
        {
            var moved = _inner.MoveNext();
            if (moved && _inner.Current is { } current) Line = current.Start.Line;
            return moved;
        }
    }

    private static string? AnchorOf(ParsingEvent e) => e is NodeEvent { Anchor.IsEmpty: false } node ? node.Anchor.Value : null;

    private static string FirstLine(string message)
    {
        var line = message.Split('\n')[0].Trim();
        return line.Length > 200 ? line[..200] : line;
    }
}
