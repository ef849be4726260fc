using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;
using VisionAgent.Core.Agent;
using VisionAgent.Core.Configuration;

namespace VisionAgent.Core.Llm;

/// <summary>
/// Builds the SK OpenAI chat connector for any OpenAI-compatible endpoint (OpenAI, Azure OpenAI v1,
/// Ollama, vLLM, llama.cpp server, LM Studio) over an HttpClient that retries 429 and 5xx with back-off,
/// honours a Retry-After within <see cref="RetryAfterLimit"/> (and gives up at once on a longer one), and times
/// out per attempt, the whole response body included (a streamed body also between its chunks).
/// </summary>
public static class ChatServiceFactory
{
    public const string HttpClientName = "visionagent-llm";

    public static (IChatCompletionService Service, LlmIdentity Identity, IDisposable Owner) CreateOpenAi(LlmConfig config)
    {
        var model = config.Model ?? "gpt-4o-mini";
        var services = new ServiceCollection();
        var client = services.AddHttpClient(HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);
        client.AddStandardResilienceHandler(options => Configure(options, config));
        // Added after the resilience handler, so it runs inside each attempt and under its timeout.
        client.AddHttpMessageHandler(() => new BoundedResponseHandler(
            TimeSpan.FromSeconds(config.TimeoutSeconds), TimeSpan.FromSeconds(config.StreamIdleSeconds), TimeProvider.System));
        var provider = services.BuildServiceProvider();
        var httpClient = provider.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName);
        var apiKey = string.IsNullOrEmpty(config.ApiKey) ? "not-needed" : config.ApiKey;
        // The endpoint constructor is marked experimental, but a custom endpoint is the whole point here.
#pragma warning disable SKEXP0010
        var service = config.Endpoint is null
            ? new OpenAIChatCompletionService(model, apiKey, httpClient: httpClient)
            : new OpenAIChatCompletionService(model, new Uri(config.Endpoint), apiKey, httpClient: httpClient);
#pragma warning restore SKEXP0010
        var identity = new LlmIdentity("openai-compatible", model);
        return (new ConnectorChatService(service), identity, provider);
    }

    private static void Configure(HttpStandardResilienceOptions options, LlmConfig config)
    {
        var attempt = TimeSpan.FromSeconds(config.TimeoutSeconds);
        var retries = config.MaxRetries;
        var delay = TimeSpan.FromSeconds(config.RetryDelaySeconds);
        options.AttemptTimeout.Timeout = attempt;
        options.Retry.MaxRetryAttempts = Math.Max(retries, 0) == 0 ? 1 : retries;
        options.Retry.Delay = delay;
        options.Retry.BackoffType = Polly.DelayBackoffType.Exponential;
        options.Retry.UseJitter = true;
        options.Retry.ShouldRetryAfterHeader = true;
        var retryAfterLimit = RetryAfterLimit(config);
        options.Retry.ShouldHandle = args => ValueTask.FromResult(
            retries > 0 && HttpClientResiliencePredicates.IsTransient(args.Outcome) && !AsksToWaitTooLong(args.Outcome.Result, retryAfterLimit));
        // The total must cover every attempt and its back-off, and the breaker's window must exceed an attempt.
        var backoff = TimeSpan.FromTicks(delay.Ticks * ((1L << Math.Min(retries, 10)) - 1) * 2);
        options.TotalRequestTimeout.Timeout = attempt * (retries + 1) + backoff + TimeSpan.FromSeconds(5);
        options.CircuitBreaker.SamplingDuration = attempt * 2 + TimeSpan.FromSeconds(1);
        options.CircuitBreaker.MinimumThroughput = Math.Max(options.CircuitBreaker.MinimumThroughput, (retries + 1) * 2);
    }

    /// <summary>
    /// The longest Retry-After the client waits: the longer of one attempt's timeout and the back-off budget.
    /// A server asking for more gets no retry, so the run fails at once instead of sleeping out its time limit.
    /// </summary>
    public static TimeSpan RetryAfterLimit(LlmConfig config)
    {
        var attempt = TimeSpan.FromSeconds(config.TimeoutSeconds);
        var backoff = TimeSpan.FromSeconds(config.RetryDelaySeconds * ((1L << Math.Min(config.MaxRetries, 10)) - 1) * 2);
        return attempt > backoff ? attempt : backoff;
    }

    private static bool AsksToWaitTooLong(HttpResponseMessage? response, TimeSpan limit)
    {
        var retryAfter = response?.Headers.RetryAfter;
        var wait = retryAfter?.Delta ?? (retryAfter?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        return wait > limit;
    }
}
