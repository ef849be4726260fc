namespace VisionAgent.Imaging.Masks;

/// <summary>
/// The outline of a mask, row by row: the inside pixels within <c>width</c> steps (4-neighbour, that is Manhattan
/// distance) of an outside pixel; the image border does not count as outside. Only <c>2 * width + 1</c> rows of
/// distances are kept, so the outline of any image costs a few rows of memory.
/// </summary>
public sealed class MaskOutline
{
    private readonly BinaryMask _mask;
    private readonly int _width;
    private readonly int[][] _distances;
    private readonly int[] _rowOf;
    private readonly bool[] _row;

    public MaskOutline(BinaryMask mask, int width)
    {
        ArgumentNullException.ThrowIfNull(mask);
        _mask = mask;
        _width = Math.Max(0, width);
        var window = (2 * _width) + 1;
        _distances = new int[window][];
        _rowOf = new int[window];
        for (var i = 0; i < window; i++)
        {
            _distances[i] = new int[mask.Width];
            _rowOf[i] = -1;
        }
        _row = new bool[mask.Width];
    }

    /// <summary>Which pixels of row <paramref name="y"/> are on the outline; valid until the next call.</summary>
    public ReadOnlySpan<bool> Row(int y)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(y);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(y, _mask.Height);
        Array.Clear(_row);
        if (_width == 0) return _row;
        var inside = _mask.Row(y);
        var from = Math.Max(0, y - _width);
        var to = Math.Min(_mask.Height - 1, y + _width);
        for (var x = 0; x < _row.Length; x++)
        {
            if (inside[x] == 0) continue;
            for (var r = from; r <= to && !_row[x]; r++)
            {
                if (Math.Abs(r - y) + Distances(r)[x] <= _width) _row[x] = true;
            }
        }
        return _row;
    }

    // Per pixel of row r: how far along the row the nearest outside pixel is, capped just beyond the outline width.
    private int[] Distances(int r)
    {
        var slot = r % _distances.Length;
        var distances = _distances[slot];
        if (_rowOf[slot] == r) return distances;
        var row = _mask.Row(r);
        var far = _width + 1;
        var run = far;
        for (var x = 0; x < row.Length; x++)
        {
            run = row[x] == 0 ? 0 : Math.Min(far, run + 1);
            distances[x] = run;
        }
        run = far;
        for (var x = row.Length - 1; x >= 0; x--)
        {
            run = row[x] == 0 ? 0 : Math.Min(far, run + 1);
            if (run < distances[x]) distances[x] = run;
        }
        _rowOf[slot] = r;
        return distances;
    }
}
