namespace VisionAgent.Abstractions;

/// <summary>
/// Declares the type of <see cref="ExpertResult.Data"/> a <c>[KernelFunction]</c> method returns, so a host can
/// publish its JSON schema (the MCP tool's <c>outputSchema</c>) and check each result against it.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class ExpertDataAttribute(Type dataType) : Attribute
{
    public Type DataType { get; } = dataType;
}
