using VisionAgent.Abstractions;

namespace VisionAgent.Imaging.Editing;

/// <summary>A binary selection over an image's pixels (true = selected), row-major.</summary>
public sealed class EditMask
{
    private readonly bool[] _selected;

    public EditMask(int width, int height, bool[] selected)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (selected.Length != width * height)
            throw new ArgumentException($"mask has {selected.Length} values, expected {width}x{height}", nameof(selected));
        Width = width;
        Height = height;
        _selected = selected;
    }

    public int Width { get; }

    public int Height { get; }

    public bool this[int x, int y] => _selected[(y * Width) + x];

    public ReadOnlySpan<bool> Values => _selected;

    public int SelectedCount => _selected.Count(s => s);

    /// <summary>A rectangular mask: pixels whose centres lie inside the box (clamped to the image).</summary>
    public static EditMask FromBox(int width, int height, PixelBox box)
    {
        var clamped = box.ClampTo(width, height);
        var x1 = (int)MathF.Round(clamped.X1);
        var y1 = (int)MathF.Round(clamped.Y1);
        var x2 = (int)MathF.Round(clamped.X2);
        var y2 = (int)MathF.Round(clamped.Y2);
        var selected = new bool[width * height];
        for (var y = y1; y < y2; y++)
            selected.AsSpan((y * width) + x1, Math.Max(0, x2 - x1)).Fill(true);
        return new EditMask(width, height, selected);
    }

    public EditMask Invert() => new(Width, Height, _selected.Select(s => !s).ToArray());

    /// <summary>The same selection at another size, by nearest neighbour.</summary>
    public EditMask ResizeNearest(int width, int height)
    {
        if (width == Width && height == Height) return this;
        var selected = new bool[width * height];
        for (var y = 0; y < height; y++)
        {
            var sy = Math.Min(Height - 1, (int)((y + 0.5) * Height / height));
            for (var x = 0; x < width; x++)
            {
                var sx = Math.Min(Width - 1, (int)((x + 0.5) * Width / width));
                selected[(y * width) + x] = _selected[(sy * Width) + sx];
            }
        }
        return new EditMask(width, height, selected);
    }

    /// <summary>Grows the selection by <paramref name="radius"/> pixels (square neighbourhood).</summary>
    public EditMask Dilate(int radius)
    {
        if (radius <= 0) return this;
        var horizontal = new bool[_selected.Length];
        for (var y = 0; y < Height; y++)
        {
            for (var x = 0; x < Width; x++)
            {
                if (!_selected[(y * Width) + x]) continue;
                for (var nx = Math.Max(0, x - radius); nx <= Math.Min(Width - 1, x + radius); nx++)
                    horizontal[(y * Width) + nx] = true;
            }
        }
        var grown = new bool[_selected.Length];
        for (var y = 0; y < Height; y++)
        {
            for (var x = 0; x < Width; x++)
            {
                if (!horizontal[(y * Width) + x]) continue;
                for (var ny = Math.Max(0, y - radius); ny <= Math.Min(Height - 1, y + radius); ny++)
                    grown[(ny * Width) + x] = true;
            }
        }
        return new EditMask(Width, Height, grown);
    }

    /// <summary>The smallest box holding every selected pixel, or null when nothing is selected.</summary>
    public PixelBox? Bounds()
    {
        int minX = Width, minY = Height, maxX = -1, maxY = -1;
        for (var y = 0; y < Height; y++)
        {
            for (var x = 0; x < Width; x++)
            {
                if (!_selected[(y * Width) + x]) continue;
                minX = Math.Min(minX, x);
                maxX = Math.Max(maxX, x);
                minY = Math.Min(minY, y);
                maxY = Math.Max(maxY, y);
            }
        }
        return maxX < 0 ? null : new PixelBox(minX, minY, maxX + 1, maxY + 1);
    }
}
