namespace VisionAgent.Core.Tests.Offline;

/// <summary>
/// The classes that route whole data sets through the sentence embedder keep both cores busy for seconds; they run
/// on their own, so tests that time a reply (a retry that must fail at once) do not wait behind them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public static class RoutingSetCollection
{
    public const string Name = "routing sets";
}
