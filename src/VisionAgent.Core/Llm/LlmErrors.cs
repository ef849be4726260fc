using System.ClientModel;
using System.Net;
using System.Text.Json;
using Microsoft.SemanticKernel;
using Polly.CircuitBreaker;
using Polly.Timeout;
using VisionAgent.Abstractions;

namespace VisionAgent.Core.Llm;

/// <summary>Turns whatever the connector throws into one clear <see cref="LlmException"/> line.</summary>
public static class LlmErrors
{
    public static async Task<T> GuardAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (Describe(ex) is { } message)
        {
            throw new LlmException(message, ex);
        }
    }

    /// <summary>
    /// A one-line description of an LLM failure, or null for exceptions that are not about the LLM. Only the
    /// connector's and the HTTP stack's own types are recognised here; <see cref="ConnectorChatService"/> turns the
    /// rest of what the connector throws into an <see cref="LlmException"/> before it gets this far.
    /// </summary>
    public static string? Describe(Exception ex) => Recognise(ex);

    /// <summary>What a connector failure means for the user, always one line.</summary>
    internal static string DescribeConnectorFailure(Exception ex) =>
        Recognise(ex) ?? $"the LLM endpoint answered with something unusable ({ex.GetType().Name}: {ex.Message.Split('\n')[0]})";

    private static string? Recognise(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case StreamInterruptedException interrupted:
                    return $"the LLM endpoint's answer was cut off ({interrupted.Message})";
                case HttpOperationException { StatusCode: { } status } http:
                    return $"the LLM endpoint answered {(int)status} {Reason(status)}{Detail(http.ResponseContent)}";
                case ClientResultException { Status: > 0 } client:
                    return $"the LLM endpoint answered {client.Status} {Reason((HttpStatusCode)client.Status)}{Detail(client.GetRawResponse()?.Content?.ToString())}";
                case TimeoutRejectedException:
                    return "the LLM endpoint did not answer in time (raise llm.timeout_seconds for slow local models)";
                case BrokenCircuitException:
                    return "the LLM endpoint kept failing; giving up for now";
                case HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError } req:
                    return $"cannot reach the LLM endpoint ({req.Message.Split('\n')[0]})";
                case HttpRequestException req:
                    return $"the LLM request failed ({req.Message.Split('\n')[0]})";
                case HttpIOException io:
                    return $"the LLM endpoint's answer was cut off ({io.Message.Split('\n')[0]})";
                case JsonException or FormatException:
                    return "the LLM endpoint answered with something that is not a valid chat completion";
                case TaskCanceledException or OperationCanceledException or TimeoutException:
                    return "the LLM endpoint did not answer in time (raise llm.timeout_seconds for slow local models)";
            }
        }
        return ex is HttpOperationException http2 ? $"the LLM request failed ({http2.Message.Split('\n')[0]})" : null;
    }

    /// <summary>
    /// True when the failure is a streamed reply that broke off after the endpoint had accepted the request (it fell
    /// silent, ran out of time, or ended unfinished): asking again may succeed. Refusals and unreachable endpoints are
    /// retried below, in the HTTP pipeline, before any reply starts.
    /// </summary>
    public static bool IsInterruptedStream(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is StreamInterruptedException or HttpIOException) return true;
        }
        return false;
    }

    private static string Reason(HttpStatusCode status) => status switch
    {
        HttpStatusCode.Unauthorized => "(check the API key)",
        HttpStatusCode.NotFound => "(check the endpoint URL and the model name)",
        HttpStatusCode.TooManyRequests => "(rate limited: retries exhausted, or the server asked to wait longer than the retry budget)",
        _ => $"({status})",
    };

    private static string Detail(string? body)
    {
        if (string.IsNullOrWhiteSpace(body)) return "";
        var line = body.Split('\n')[0].Trim();
        return ": " + (line.Length > 160 ? line[..160] : line);
    }
}
