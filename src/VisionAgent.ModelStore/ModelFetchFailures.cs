using System.Net;
using System.Net.Sockets;
using VisionAgent.Abstractions;

namespace VisionAgent.ModelStore;

/// <summary>One source could not serve a file (HTTP status, wrong size or checksum); the next source is tried.</summary>
public sealed class ModelSourceException(string reason, Exception? inner = null)
    : VisionAgentException(reason, ExitCodes.BadInput, inner);

/// <summary>
/// No source could serve a model file, or the file could not be written. The message is one line that says why,
/// source by source; it maps to the exit code for bad input or environment.
/// </summary>
public sealed class ModelFetchException(string message, Exception? inner = null)
    : VisionAgentException(message, ExitCodes.BadInput, inner);

/// <summary>Turns what went wrong with one source into a short reason a user can act on.</summary>
internal static class ModelFetchFailures
{
    // ENOSPC on Linux and macOS; ERROR_HANDLE_DISK_FULL and ERROR_DISK_FULL on Windows.
    private static readonly int[] DiskFullCodes = [28, 0x27, 0x70, unchecked((int)0x80070027), unchecked((int)0x80070070)];

    public static bool IsDiskFull(Exception ex) => ex is IOException io && DiskFullCodes.Contains(io.HResult);

    public static string HttpStatus(HttpStatusCode status, string? phrase) => status switch
    {
        HttpStatusCode.NotFound => "not found (HTTP 404)",
        HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => $"access refused (HTTP {(int)status}): the repository is gated, private or gone",
        HttpStatusCode.Gone => "gone (HTTP 410)",
        _ => $"HTTP {(int)status} {phrase}".TrimEnd(),
    };

    /// <summary>The reason for a failure that the next source may not share, or null for one it would.</summary>
    public static string? SourceReason(Exception ex, CancellationToken cancellationToken) => ex switch
    {
        ModelSourceException source => source.Message,
        HttpRequestException { InnerException: SocketException socket } => socket.SocketErrorCode switch
        {
            SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "host unreachable (name not resolved)",
            SocketError.ConnectionRefused => "host unreachable (connection refused)",
            SocketError.TimedOut => "host unreachable (connection timed out)",
            SocketError.NetworkUnreachable or SocketError.HostUnreachable => "host unreachable (no route)",
            _ => $"host unreachable ({socket.SocketErrorCode})",
        },
        HttpRequestException http => $"download failed ({FirstLine(http.Message)})",
        TaskCanceledException when !cancellationToken.IsCancellationRequested => "timed out",
        IOException io when !IsDiskFull(io) && io.InnerException is SocketException or HttpRequestException => $"connection lost ({FirstLine(io.Message)})",
        _ => null,
    };

    private static string FirstLine(string text)
    {
        var end = text.IndexOfAny(['\r', '\n']);
        return end < 0 ? text : text[..end];
    }
}
