namespace VisionAgent.Core.Llm;

/// <summary>
/// Reads each LLM response body completely inside the attempt that fetched it, so the per-attempt timeout
/// (<c>llm.timeout_seconds</c>) covers a body that trickles in, not only the headers, and a slow body is retried
/// like a hang. The body is capped, since a chat completion is never large.
/// </summary>
internal sealed class WholeResponseHandler : DelegatingHandler
{
    /// <summary>The largest response body read from an LLM endpoint.</summary>
    public const long MaxResponseBytes = 32L << 20;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        try
        {
            await response.Content.LoadIntoBufferAsync(MaxResponseBytes, cancellationToken).ConfigureAwait(false);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }
}
