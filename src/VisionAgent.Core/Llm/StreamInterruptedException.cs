namespace VisionAgent.Core.Llm;

/// <summary>
/// A streamed LLM reply that stopped before it was finished: nothing arrived for too long, it ran past its time, or
/// the stream ended without the model finishing. Such a reply can be asked for again.
/// </summary>
public sealed class StreamInterruptedException(string message, Exception? inner = null) : IOException(message, inner);
