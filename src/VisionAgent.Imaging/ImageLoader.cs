using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using VisionAgent.Abstractions;

namespace VisionAgent.Imaging;

/// <summary>
/// What a file's header says, read without decoding pixels. Width and height are the displayed size: an EXIF
/// orientation of 5 to 8 (a quarter turn, as phones write portrait photos) swaps the stored ones, just as
/// <see cref="ImageLoader.Load{TPixel}(string)"/> turns the pixels.
/// </summary>
public sealed record ImageHeader(string Path, string Format, int Width, int Height, int BitsPerPixel, long FileBytes, ushort? ExifOrientation);

/// <summary>
/// The one guarded way to read images: only PNG, JPEG, WebP, BMP and GIF (first frame), the format sniffed
/// from the header, the container walked and its metadata cut out (<see cref="ImageStructure"/>), dimensions and
/// pixel count capped before decoding, and the decoder's memory bounded.
/// </summary>
public sealed class ImageLoader
{
    // Built on first use: a command that reads no image (tools, --help) never sets up the codecs.
    private readonly Lazy<Configuration> _configuration;

    public ImageLoader(ImageLimits? limits = null)
    {
        Limits = limits ?? ImageLimits.Default;
        _configuration = new Lazy<Configuration>(() => CreateConfiguration(Limits), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public ImageLimits Limits { get; }

    /// <summary>Identifies the file from its header, enforcing every limit; throws <see cref="BadInputException"/>.</summary>
    public ImageHeader Identify(string path)
    {
        using var stream = OpenChecked(path, out var info);
        var (header, decoderView) = IdentifyOpen(stream, info, path);
        decoderView.Dispose();
        return header;
    }

    /// <summary>Decodes the image (first frame), applying EXIF orientation.</summary>
    public Image<TPixel> Load<TPixel>(string path) where TPixel : unmanaged, IPixel<TPixel> => Decode<TPixel>(path);

    /// <summary>
    /// Decodes the image (first frame), applying EXIF orientation; cancellation ends the wait at once. ImageSharp 2
    /// decoders take no token, so a cancelled decode runs on to its end on a pool thread (the container caps keep
    /// that short) and its pixels are released there.
    /// </summary>
    public Image<TPixel> Load<TPixel>(string path, CancellationToken cancellationToken) where TPixel : unmanaged, IPixel<TPixel>
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!cancellationToken.CanBeCanceled) return Decode<TPixel>(path);
        var decode = Task.Run(() => Decode<TPixel>(path), CancellationToken.None);
        try
        {
            decode.Wait(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            decode.ContinueWith(ReleaseAbandoned, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            throw;
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count == 1)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex.InnerExceptions[0]);
        }
        return decode.Result;
    }

    public Image<Rgb24> LoadRgb(string path) => Load<Rgb24>(path);

    public Image<Rgb24> LoadRgb(string path, CancellationToken cancellationToken) => Load<Rgb24>(path, cancellationToken);

    private Image<TPixel> Decode<TPixel>(string path) where TPixel : unmanaged, IPixel<TPixel>
    {
        // One open stream for every check and the decode, so the file cannot change in between.
        using var stream = OpenChecked(path, out var info);
        var (_, decoderView) = IdentifyOpen(stream, info, path);
        using (decoderView)
        {
            decoderView.Position = 0;
            try
            {
                var image = Image.Load<TPixel>(_configuration.Value, decoderView);
                if (image.Frames.Count > 1)
                {
                    // Animated WebP is refused up front; this keeps any other multi-frame result to its first frame.
                    while (image.Frames.Count > 1) image.Frames.RemoveFrame(1);
                }
                image.Mutate(x => x.AutoOrient());
                return image;
            }
            catch (Exception ex) when (IsDecoderFailure(ex))
            {
                throw new BadInputException($"unreadable or corrupt image ({Sanitize(ex.Message)}): {path}", ex);
            }
        }
    }

    private static void ReleaseAbandoned<TPixel>(Task<Image<TPixel>> decode) where TPixel : unmanaged, IPixel<TPixel>
    {
        if (decode.IsCompletedSuccessfully) decode.Result.Dispose();
        else _ = decode.Exception;
    }

    private FileStream OpenChecked(string path, out FileInfo info)
    {
        info = new FileInfo(path);
        if (!info.Exists)
            throw new BadInputException($"image not found: {path}");
        if (info.Length == 0)
            throw new BadInputException($"not an image (empty file): {path}");
        if (info.Length > Limits.MaxFileBytes)
            throw new BadInputException($"image file too large ({info.Length / (1024 * 1024)} MiB, limit {Limits.MaxFileBytes / (1024 * 1024)} MiB): {path}");
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BadInputException($"cannot read image ({Sanitize(ex.Message)}): {path}", ex);
        }
        if (!stream.CanSeek)
        {
            // Pipes, sockets and terminals (/proc/self/fd/0, /dev/stdin) would be read from, taking what is not ours.
            stream.Dispose();
            throw new BadInputException($"not a regular file: {path}");
        }
        return stream;
    }

    /// <summary>The header, and the view of the file the decoder may see (metadata cut out).</summary>
    private (ImageHeader Header, Stream DecoderView) IdentifyOpen(FileStream stream, FileInfo info, string path)
    {
        Span<byte> head = stackalloc byte[ImageSignature.Length];
        var read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        var sniffed = ImageSignature.Sniff(head[..read])
            ?? throw new BadInputException($"not a supported image (PNG, JPEG, WebP, BMP or GIF) whatever its extension: {path}");
        if (sniffed == "WEBP" && ImageSignature.IsAnimatedWebp(head[..read]))
            throw new BadInputException($"animated WebP is not supported (convert its first frame to PNG): {path}");
        ContainerCheck container;
        try
        {
            container = ImageStructure.Inspect(stream, sniffed);
        }
        catch (EndOfStreamException ex)
        {
            throw new BadInputException($"truncated {sniffed} file: {path}", ex);
        }
        if (container.Problem is { } problem)
            throw new BadInputException($"{problem}: {path}");

        Stream decoderView = container.DecoderRanges is { } ranges ? new ByteRangeStream(stream, ranges) : stream;
        decoderView.Position = 0;
        IImageInfo? imageInfo;
        IImageFormat? format;
        try
        {
            imageInfo = Image.Identify(_configuration.Value, decoderView, out format);
        }
        catch (Exception ex) when (IsDecoderFailure(ex))
        {
            throw new BadInputException($"unreadable or corrupt image ({Sanitize(ex.Message)}): {path}", ex);
        }
        if (imageInfo is null || format is null)
            throw new BadInputException($"not a supported image (PNG, JPEG, WebP, BMP or GIF): {path}");
        CheckDimensions(imageInfo.Width, imageInfo.Height, path);
        ushort? orientation = null;
        if (imageInfo.Metadata.ExifProfile?.GetValue(ExifTag.Orientation) is { } value)
            orientation = value.Value;
        var quarterTurn = orientation is >= 5 and <= 8;
        var header = new ImageHeader(path, format.Name.ToUpperInvariant(),
            quarterTurn ? imageInfo.Height : imageInfo.Width, quarterTurn ? imageInfo.Width : imageInfo.Height,
            imageInfo.PixelType?.BitsPerPixel ?? 0, info.Length, orientation);
        return (header, decoderView);
    }

    // What decoders throw on hostile bytes: format, content, memory-limit and arithmetic failures.
    private static bool IsDecoderFailure(Exception ex) =>
        ex is ImageFormatException or InvalidImageContentException or UnknownImageFormatException or InvalidMemoryOperationException
            or EndOfStreamException or InvalidOperationException or ArgumentException or OverflowException or NotSupportedException
            or IndexOutOfRangeException;

    private void CheckDimensions(int width, int height, string path)
    {
        if (width <= 0 || height <= 0)
            throw new BadInputException($"image has no pixels ({width}x{height}): {path}");
        if (width > Limits.MaxWidth || height > Limits.MaxHeight || (long)width * height > Limits.MaxPixels)
            throw new BadInputException(
                $"image too large ({width}x{height}; limit {Limits.MaxWidth}x{Limits.MaxHeight}, {Limits.MaxPixels / 1_000_000} megapixels): {path}");
    }

    private static string Sanitize(string message)
    {
        var line = message.Split('\n')[0].Trim();
        return line.Length > 160 ? line[..160] : line;
    }

    private static Configuration CreateConfiguration(ImageLimits limits)
    {
        var configuration = new Configuration(
            new PngConfigurationModule(),
            new JpegConfigurationModule(),
            new WebpConfigurationModule(),
            new BmpConfigurationModule(),
            new GifConfigurationModule())
        {
            MemoryAllocator = MemoryAllocator.Create(new MemoryAllocatorOptions
            {
                AllocationLimitMegabytes = limits.AllocationLimitMegabytes,
                // Keep the pool small so memory from one large image is returned rather than retained.
                MaximumPoolSizeMegabytes = Math.Min(limits.AllocationLimitMegabytes, 64),
            }),
        };
        // Only the first frame is ever used: never decode the rest of an animation.
        configuration.ImageFormatsManager.SetDecoder(GifFormat.Instance, new GifDecoder { DecodingMode = FrameDecodingMode.First });
        return configuration;
    }
}
