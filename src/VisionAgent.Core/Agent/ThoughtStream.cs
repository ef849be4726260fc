using System.Text;

namespace VisionAgent.Core.Agent;

/// <summary>
/// Picks the thought out of a ReAct reply while it arrives: the text before any label and under Thought labels, with
/// the labels themselves left out, up to the first other label (an action, an answer, an observation), after which
/// nothing more is thought. A line's label is decided once its head is known (up to its colon), so a label split
/// across two pieces is never shown as thought.
/// </summary>
public sealed class ThoughtStream
{
    /// <summary>A line head this long without a colon is no label.</summary>
    private const int LongestLabelHead = 48;

    private readonly StringBuilder _head = new();
    private bool _inHead = true;
    private bool _ended;
    private bool _started;
    private bool _pendingBreak;
    private bool _afterLabel;

    /// <summary>Adds more of the reply; returns the thought text it completes (empty when none).</summary>
    public string Push(string text)
    {
        var output = new StringBuilder();
        foreach (var c in text)
        {
            if (_ended) break;
            if (_inHead)
            {
                if (c == '\n')
                {
                    DecideHead(output);
                    _pendingBreak |= _started;
                    continue;
                }
                _head.Append(c);
                if (c is ':' or '：' or ']' || _head.Length >= LongestLabelHead)
                {
                    DecideHead(output);
                    _inHead = _ended;
                }
                continue;
            }
            if (c == '\n')
            {
                _inHead = true;
                _pendingBreak |= _started;
                continue;
            }
            if (_afterLabel && c is ' ' or '\t') continue;
            _afterLabel = false;
            Write(output, c.ToString());
        }
        return output.ToString();
    }

    /// <summary>The reply is complete: a last line without a line break is decided.</summary>
    public string Complete()
    {
        var output = new StringBuilder();
        if (!_ended && _inHead && _head.Length > 0) DecideHead(output);
        return output.ToString();
    }

    private void DecideHead(StringBuilder output)
    {
        var head = _head.ToString();
        _head.Clear();
        switch (ReActParser.ReadLineStart(head, out var textStart))
        {
            case ReplyLineStart.Step:
                _ended = true;
                return;
            case ReplyLineStart.Thought:
                Write(output, head[textStart..].TrimStart());
                _afterLabel = true;
                return;
            default:
                Write(output, head);
                return;
        }
    }

    private void Write(StringBuilder output, string text)
    {
        if (!_started) text = text.TrimStart();
        if (text.Length == 0) return;
        if (_pendingBreak)
        {
            output.Append('\n');
            _pendingBreak = false;
        }
        output.Append(text);
        _started = true;
    }
}
