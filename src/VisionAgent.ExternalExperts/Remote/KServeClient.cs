using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Polly.Timeout;
using VisionAgent.Abstractions;

namespace VisionAgent.ExternalExperts.Remote;

/// <summary>A tensor in the open inference protocol's JSON form.</summary>
public sealed record InferTensor(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("shape")] long[] Shape,
    [property: JsonPropertyName("datatype")] string Datatype,
    [property: JsonPropertyName("data")] float[] Data);

internal sealed record InferRequest(
    [property: JsonPropertyName("inputs")] IReadOnlyList<InferTensor> Inputs,
    [property: JsonPropertyName("outputs")] IReadOnlyList<InferOutputRequest> Outputs);

internal sealed record InferOutputRequest([property: JsonPropertyName("name")] string Name);

internal sealed record InferResponse(
    [property: JsonPropertyName("model_name")] string? ModelName,
    [property: JsonPropertyName("outputs")] IReadOnlyList<InferTensor>? Outputs);

/// <summary>
/// A client of the open inference protocol (KServe v2 REST, as served by Triton, KServe and MLServer):
/// <c>POST {url}/v2/models/{name}[/versions/{v}]/infer</c> and <c>GET {url}/v2/health/ready</c>, with a
/// per-attempt timeout and retries on 5xx, 408, 429 and timeouts.
/// </summary>
public sealed class KServeClient : IDisposable
{
    private const string HttpClientName = "kserve";
    private readonly ServiceProvider _provider;
    private readonly HttpClient _http;

    public KServeClient(RemoteModelOptions options)
    {
        Options = options;
        var services = new ServiceCollection();
        services.AddHttpClient(HttpClientName, client =>
            {
                client.BaseAddress = options.Url;
                client.Timeout = System.Threading.Timeout.InfiniteTimeSpan;
            })
            .AddStandardResilienceHandler(o => Configure(o, options));
        _provider = services.BuildServiceProvider();
        _http = _provider.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName);
    }

    public RemoteModelOptions Options { get; }

    private string ModelPath => Options.Version is { } v
        ? $"v2/models/{Uri.EscapeDataString(Options.Model)}/versions/{Uri.EscapeDataString(v)}"
        : $"v2/models/{Uri.EscapeDataString(Options.Model)}";

    /// <summary>True when the server answers 200 to <c>/v2/health/ready</c>.</summary>
    public async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _http.GetAsync("v2/health/ready", cancellationToken).ConfigureAwait(false);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException or Polly.CircuitBreaker.BrokenCircuitException)
        {
            return false;
        }
    }

    /// <summary>Runs the model on one FP32 input and returns the named FP32 output.</summary>
    public async Task<InferTensor> InferAsync(InferTensor input, string outputName, CancellationToken cancellationToken)
    {
        var request = new InferRequest([input], [new InferOutputRequest(outputName)]);
        HttpResponseMessage response;
        try
        {
            response = await _http.PostAsJsonAsync(ModelPath + "/infer", request, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException ex)
        {
            throw new VisionAgentException($"remote model '{Options.Model}' at {Options.Url} timed out after {Options.Timeout.TotalSeconds:0.#} s ({Options.Retries} retries)", inner: ex);
        }
        catch (HttpRequestException ex)
        {
            throw new VisionAgentException($"remote model '{Options.Model}' at {Options.Url} is unreachable: {ex.Message.Split('\n')[0]}", inner: ex);
        }
        catch (Polly.CircuitBreaker.BrokenCircuitException ex)
        {
            throw new VisionAgentException($"remote model '{Options.Model}' at {Options.Url} failed too often; try again later", inner: ex);
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                throw new VisionAgentException($"remote model '{Options.Model}' answered {(int)response.StatusCode}: {ErrorText(body)}");
            }
            InferResponse? parsed;
            try
            {
                parsed = await response.Content.ReadFromJsonAsync<InferResponse>(cancellationToken).ConfigureAwait(false);
            }
            catch (JsonException ex)
            {
                throw new VisionAgentException($"remote model '{Options.Model}' returned malformed JSON: {ex.Message.Split('\n')[0]}", inner: ex);
            }
            var output = parsed?.Outputs?.FirstOrDefault(o => o.Name == outputName)
                ?? throw new VisionAgentException($"remote model '{Options.Model}' returned no output named '{outputName}'");
            if (output.Data is null || output.Data.Length != output.Shape.Aggregate(1L, (a, b) => a * b))
                throw new VisionAgentException($"remote model '{Options.Model}' returned output '{outputName}' whose data does not match its shape");
            return output;
        }
    }

    public void Dispose() => _provider.Dispose();

    private static string ErrorText(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("error", out var error))
                body = error.ToString();
        }
        catch (JsonException)
        {
            // Not JSON: show the raw text, shortened.
        }
        body = body.ReplaceLineEndings(" ").Trim();
        return body.Length > 200 ? body[..200] : body;
    }

    private static void Configure(HttpStandardResilienceOptions options, RemoteModelOptions remote)
    {
        options.AttemptTimeout.Timeout = remote.Timeout;
        options.Retry.MaxRetryAttempts = Math.Max(remote.Retries, 1);
        options.Retry.Delay = remote.RetryDelay;
        options.Retry.BackoffType = Polly.DelayBackoffType.Exponential;
        options.Retry.UseJitter = true;
        options.Retry.ShouldRetryAfterHeader = true;
        if (remote.Retries == 0) options.Retry.ShouldHandle = _ => ValueTask.FromResult(false);
        // The total must cover every attempt and its back-off, and the breaker's window must exceed an attempt.
        var backoff = TimeSpan.FromTicks(remote.RetryDelay.Ticks * ((1L << Math.Min(remote.Retries, 10)) - 1) * 2);
        options.TotalRequestTimeout.Timeout = remote.Timeout * (remote.Retries + 1) + backoff + TimeSpan.FromSeconds(5);
        options.CircuitBreaker.SamplingDuration = remote.Timeout * 2 + TimeSpan.FromSeconds(1);
        options.CircuitBreaker.MinimumThroughput = Math.Max(options.CircuitBreaker.MinimumThroughput, (remote.Retries + 1) * 2);
    }
}
