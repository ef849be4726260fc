using System.Net.Http.Headers;

namespace VisionAgent.Core.Llm;

/// <summary>
/// Puts every LLM response body under the per-attempt timeout (<c>llm.timeout_seconds</c>), so a body that trickles in
/// is given up like a hang. A plain body is read completely inside the attempt that fetched it (and retried like a
/// hang when slow). A streamed one (<c>text/event-stream</c>) is handed on as it arrives, read under the attempt's
/// deadline and an idle limit between chunks (<c>llm.stream_idle_seconds</c>). Either is capped, since a chat
/// completion is never large.
/// </summary>
internal sealed class BoundedResponseHandler(TimeSpan attemptTimeout, TimeSpan streamIdle, TimeProvider clock) : DelegatingHandler
{
    /// <summary>The largest response body read from an LLM endpoint.</summary>
    public const long MaxResponseBytes = 32L << 20;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var started = clock.GetUtcNow();
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        try
        {
            if (IsEventStream(response.Content.Headers.ContentType))
            {
                var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                var streamed = new StreamContent(new DeadlineStream(body, streamIdle, started + attemptTimeout, clock));
                foreach (var header in response.Content.Headers) streamed.Headers.TryAddWithoutValidation(header.Key, header.Value);
                response.Content = streamed;
                return response;
            }
            await response.Content.LoadIntoBufferAsync(MaxResponseBytes, cancellationToken).ConfigureAwait(false);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private static bool IsEventStream(MediaTypeHeaderValue? type) =>
        string.Equals(type?.MediaType, "text/event-stream", StringComparison.OrdinalIgnoreCase);
}
