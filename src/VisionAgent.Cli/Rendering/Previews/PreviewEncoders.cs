using System.Globalization;
using System.Text;
using VisionAgent.Imaging.Preview;

namespace VisionAgent.Cli.Rendering.Previews;

/// <summary>The escape sequences each protocol draws a <see cref="PreviewImage"/> with; pure functions of the pixels.</summary>
public static class PreviewEncoders
{
    private const char Escape = '\u001b';

    /// <summary>Cut-outs are blended over this grey where the protocol has no transparency.</summary>
    public static readonly (byte R, byte G, byte B) Background = (40, 40, 40);

    /// <summary>kitty graphics: the PNG base64-encoded in chunks of at most 4096 bytes, placed over columns x rows cells.</summary>
    public static string Kitty(byte[] png, int columns, int rows)
    {
        var payload = Convert.ToBase64String(png);
        var builder = new StringBuilder(payload.Length + 64);
        for (var offset = 0; offset < payload.Length; offset += 4096)
        {
            var chunk = payload.Substring(offset, Math.Min(4096, payload.Length - offset));
            var more = offset + 4096 < payload.Length ? 1 : 0;
            builder.Append(Escape).Append("_G");
            if (offset == 0) builder.Append(CultureInfo.InvariantCulture, $"a=T,f=100,t=d,q=2,c={columns},r={rows},");
            builder.Append(CultureInfo.InvariantCulture, $"m={more};").Append(chunk).Append(Escape).Append('\\');
        }
        return builder.Append('\n').ToString();
    }

    /// <summary>iTerm2 inline image: one OSC 1337 escape with the PNG, sized in cells.</summary>
    public static string ITerm2(byte[] png, int columns, int rows) =>
        $"{Escape}]1337;File=inline=1;size={png.Length};width={columns};height={rows};preserveAspectRatio=1:{Convert.ToBase64String(png)}\u0007\n";

    /// <summary>
    /// Sixel: the pixels mapped to a 6x6x6 colour cube, bands of six rows, one pass per colour present in a band,
    /// runs of four or more repeated with <c>!n</c>.
    /// </summary>
    public static string Sixel(PreviewImage image)
    {
        var indices = new byte[image.Width * image.Height];
        var used = new bool[216];
        for (var y = 0; y < image.Height; y++)
        {
            for (var x = 0; x < image.Width; x++)
            {
                var (r, g, b) = image.OpaqueAt(x, y, Background);
                var index = (byte)(Level(r) * 36 + Level(g) * 6 + Level(b));
                indices[y * image.Width + x] = index;
                used[index] = true;
            }
        }
        var builder = new StringBuilder();
        builder.Append(Escape).Append("Pq").Append(CultureInfo.InvariantCulture, $"\"1;1;{image.Width};{image.Height}");
        for (var i = 0; i < used.Length; i++)
        {
            if (!used[i]) continue;
            builder.Append(CultureInfo.InvariantCulture, $"#{i};2;{Percent(i / 36)};{Percent(i / 6 % 6)};{Percent(i % 6)}");
        }
        var bits = new byte[image.Width];
        for (var top = 0; top < image.Height; top += 6)
        {
            var firstColour = true;
            for (var colour = 0; colour < used.Length; colour++)
            {
                if (!used[colour]) continue;
                var any = false;
                for (var x = 0; x < image.Width; x++)
                {
                    byte mask = 0;
                    for (var dy = 0; dy < 6 && top + dy < image.Height; dy++)
                    {
                        if (indices[(top + dy) * image.Width + x] == colour) mask |= (byte)(1 << dy);
                    }
                    bits[x] = mask;
                    any |= mask != 0;
                }
                if (!any) continue;
                if (!firstColour) builder.Append('$');
                firstColour = false;
                builder.Append(CultureInfo.InvariantCulture, $"#{colour}");
                AppendRuns(builder, bits);
            }
            builder.Append('-');
        }
        return builder.Append(Escape).Append('\\').Append('\n').ToString();
    }

    /// <summary>
    /// Upper half blocks: each character cell shows two pixels, the top one as the foreground colour and the bottom
    /// one as the background, in 24-bit colour; every line ends with a reset.
    /// </summary>
    public static string HalfBlocks(PreviewImage image)
    {
        var builder = new StringBuilder();
        for (var y = 0; y < image.Height; y += 2)
        {
            (byte R, byte G, byte B)? lastTop = null, lastBottom = null;
            for (var x = 0; x < image.Width; x++)
            {
                var top = image.OpaqueAt(x, y, Background);
                var bottom = y + 1 < image.Height ? image.OpaqueAt(x, y + 1, Background) : Background;
                if (top != lastTop) builder.Append(CultureInfo.InvariantCulture, $"{Escape}[38;2;{top.R};{top.G};{top.B}m");
                if (bottom != lastBottom) builder.Append(CultureInfo.InvariantCulture, $"{Escape}[48;2;{bottom.R};{bottom.G};{bottom.B}m");
                builder.Append('▀');
                lastTop = top;
                lastBottom = bottom;
            }
            builder.Append(Escape).Append("[0m\n");
        }
        return builder.ToString();
    }

    private static void AppendRuns(StringBuilder builder, byte[] bits)
    {
        var x = 0;
        while (x < bits.Length)
        {
            var run = 1;
            while (x + run < bits.Length && bits[x + run] == bits[x]) run++;
            var symbol = (char)('?' + bits[x]);
            if (run >= 4) builder.Append('!').Append(run.ToString(CultureInfo.InvariantCulture)).Append(symbol);
            else builder.Append(symbol, run);
            x += run;
        }
    }

    private static int Level(byte value) => (value * 5 + 127) / 255;

    private static int Percent(int level) => level * 20;
}
