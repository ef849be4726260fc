using BenchmarkDotNet.Attributes;
using VisionAgent.Core.Agent;
using VisionAgent.Testing;
using YamlDotNet.RepresentationModel;

namespace VisionAgent.Benchmarks;

/// <summary>
/// The parser over the whole ReAct conformance corpus (real reply shapes, many of them sloppy or broken): the mean
/// is per reply, so 1 / mean is replies parsed per second.
/// </summary>
[MemoryDiagnoser]
public class ReActParserBenchmarks
{
    private const int CorpusSize = 171;

    private string[] _replies = [];

    [GlobalSetup]
    public void Setup()
    {
        var path = Path.Combine(RepositoryPaths.Root, "tests", "VisionAgent.Core.Tests", "Agent", "Conformance", "react-replies.yaml");
        var yaml = new YamlStream();
        using (var reader = File.OpenText(path)) yaml.Load(reader);
        var cases = (YamlSequenceNode)((YamlMappingNode)yaml.Documents[0].RootNode).Children[new YamlScalarNode("cases")];
        _replies = cases.Children.Select(c => ((YamlScalarNode)((YamlMappingNode)c).Children[new YamlScalarNode("reply")]).Value ?? "").ToArray();
        if (_replies.Length != CorpusSize) throw new InvalidOperationException($"the corpus has {_replies.Length} replies; update {nameof(CorpusSize)}");
    }

    [Benchmark(Description = "parse one corpus reply (mean over the corpus)", OperationsPerInvoke = CorpusSize)]
    public int ParseCorpus()
    {
        var actions = 0;
        foreach (var reply in _replies) actions += ReActParser.Parse(reply).Actions.Count;
        return actions;
    }
}
