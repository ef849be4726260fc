using VisionAgent.Abstractions;

namespace VisionAgent.Imaging.Masks;

/// <summary>One connected part of a mask: its pixel count and bounding box.</summary>
public sealed record MaskRegion(int Area, PixelBox Box);

/// <summary>Finds the connected parts of a mask (8-connected: pixels touching by an edge or a corner belong together).</summary>
public static class MaskRegions
{
    /// <summary>The regions of at least <paramref name="minArea"/> pixels, largest first.</summary>
    public static IReadOnlyList<MaskRegion> Find(BinaryMask mask, int minArea = 1)
    {
        ArgumentNullException.ThrowIfNull(mask);
        int width = mask.Width, height = mask.Height;
        var pixels = mask.Pixels;
        var visited = new bool[pixels.Length];
        var stack = new Stack<int>();
        var regions = new List<MaskRegion>();
        for (var start = 0; start < pixels.Length; start++)
        {
            if (pixels[start] == 0 || visited[start]) continue;
            visited[start] = true;
            stack.Push(start);
            int area = 0, minX = width, minY = height, maxX = 0, maxY = 0;
            while (stack.Count > 0)
            {
                var index = stack.Pop();
                int x = index % width, y = index / width;
                area++;
                if (x < minX) minX = x;
                if (x > maxX) maxX = x;
                if (y < minY) minY = y;
                if (y > maxY) maxY = y;
                for (var dy = -1; dy <= 1; dy++)
                {
                    var ny = y + dy;
                    if ((uint)ny >= (uint)height) continue;
                    for (var dx = -1; dx <= 1; dx++)
                    {
                        var nx = x + dx;
                        if ((uint)nx >= (uint)width) continue;
                        var neighbour = (ny * width) + nx;
                        if (pixels[neighbour] == 0 || visited[neighbour]) continue;
                        visited[neighbour] = true;
                        stack.Push(neighbour);
                    }
                }
            }
            if (area >= minArea) regions.Add(new MaskRegion(area, new PixelBox(minX, minY, maxX + 1, maxY + 1)));
        }
        regions.Sort((a, b) => b.Area.CompareTo(a.Area));
        return regions;
    }
}
