using System.Text;

namespace VisionAgent.Core.Agent;

/// <summary>
/// The text of a reply that arrives in pieces, cut where a stop sequence starts (as a server that honours them would),
/// so a model that begins to write an observation itself is stopped there. What it hands on to be shown never holds
/// the start of a stop sequence: a tail that might become one is held back until the next piece decides.
/// </summary>
public sealed class StreamedReply(IReadOnlyList<string> stopSequences)
{
    private readonly StringBuilder _text = new();
    private readonly int _longestStop = stopSequences.Count == 0 ? 0 : stopSequences.Max(s => s.Length);
    private int _shown;

    /// <summary>True once a stop sequence was found: the reply ends before it and later pieces are ignored.</summary>
    public bool IsCut { get; private set; }

    public string Text => _text.ToString();

    /// <summary>Adds a piece; returns the text that became safe to show.</summary>
    public string Add(string piece)
    {
        if (IsCut || piece.Length == 0) return "";
        var searchFrom = Math.Max(0, _text.Length - _longestStop + 1);
        _text.Append(piece);
        var tail = _text.ToString(searchFrom, _text.Length - searchFrom);
        var stop = stopSequences.Select(s => tail.IndexOf(s, StringComparison.Ordinal)).Where(i => i >= 0).DefaultIfEmpty(-1).Min();
        if (stop >= 0)
        {
            _text.Length = searchFrom + stop;
            IsCut = true;
            return ShowUpTo(_text.Length);
        }
        return ShowUpTo(_text.Length - HeldBack());
    }

    /// <summary>The reply is complete: whatever was held back is shown.</summary>
    public string Complete() => ShowUpTo(_text.Length);

    private string ShowUpTo(int end)
    {
        if (end <= _shown) return "";
        var shown = _text.ToString(_shown, end - _shown);
        _shown = end;
        return shown;
    }

    /// <summary>The length of the longest tail that is the beginning of a stop sequence.</summary>
    private int HeldBack()
    {
        var held = 0;
        foreach (var stop in stopSequences)
        {
            for (var length = Math.Min(stop.Length - 1, _text.Length); length > held; length--)
            {
                if (EndsWith(stop.AsSpan(0, length))) held = length;
            }
        }
        return held;
    }

    private bool EndsWith(ReadOnlySpan<char> value)
    {
        var offset = _text.Length - value.Length;
        for (var i = 0; i < value.Length; i++)
        {
            if (_text[offset + i] != value[i]) return false;
        }
        return true;
    }
}
