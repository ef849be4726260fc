using VisionAgent.Abstractions;
using VisionAgent.Core.Llm.Offline.Slots;
using VisionAgent.Testing;
using Xunit.Abstractions;

namespace VisionAgent.Core.Tests.Offline;

/// <summary>Every slot type on the phrasings in Data/slots.tsv, including every example of the slot table in the README.</summary>
public sealed class SlotExtractionTests(ITestOutputHelper output)
{
    public static TheoryData<string, string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var line in File.ReadAllLines(Path.Combine(RepositoryPaths.Root, "tests", "VisionAgent.Core.Tests", "Offline", "Data", "slots.tsv")))
        {
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var parts = line.Split('\t');
            data.Add(parts[0], parts[1], parts[2], parts.Length > 3 ? parts[3] : "");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Finds_the_value_the_words_give_and_nothing_when_they_give_none(string slot, string question, string expected, string imageSize)
    {
        var type = SlotLibrary.Find(slot);
        Assert.NotNull(type);
        var size = imageSize.Split('x');
        var words = size.Length == 2 ? new SlotQuestion(question, int.Parse(size[0]), int.Parse(size[1])) : new SlotQuestion(question);

        var value = type.Extract(words);

        output.WriteLine($"{slot}: \"{question}\" -> {value ?? "-"}");
        Assert.Equal(expected, value ?? "-");
    }

    [Fact]
    public void Every_slot_type_extracts_its_own_examples()
    {
        foreach (var type in SlotLibrary.All)
        {
            foreach (var example in type.Examples)
                Assert.True(type.Extract(new SlotQuestion(example, 600, 400)) is not null, $"{type.Name} finds nothing in its own example \"{example}\"");
        }
    }

    [Fact]
    public void A_required_value_the_question_does_not_give_is_reported_with_how_to_say_it()
    {
        var rule = new RoutingRule { Slots = new() { ["degrees"] = "angle" }, Require = ["degrees"] };

        var filling = RuleSlots.Fill(rule, new SlotQuestion("rotate the image"));

        Assert.Equal(["degrees"], filling.Missing);
        Assert.Equal("the angle (say it like \"by 90 degrees\", \"180°\", \"45 degrees counter-clockwise\" or \"upside down\")", RuleSlots.Describe(rule, "degrees"));
    }

    [Fact]
    public void One_of_several_parameters_satisfies_a_group()
    {
        var rule = new RoutingRule { Slots = new() { ["width"] = "width", ["height"] = "height", ["scale"] = "scale" }, Require = ["width|height|scale"] };

        Assert.True(RuleSlots.Fill(rule, new SlotQuestion("resize it to 150 px high")).Complete);
        Assert.False(RuleSlots.Fill(rule, new SlotQuestion("make it smaller")).Complete);
    }

    [Fact]
    public void Long_questions_are_cut_before_any_pattern_runs()
    {
        var words = new SlotQuestion(new string('a', 100_000) + " rotate by 90 degrees");

        Assert.Equal(SlotQuestion.MaxLength, words.Text.Length);
        Assert.Null(SlotLibrary.Find("angle")!.Extract(words));
    }

    [Fact]
    public void A_manifest_with_an_unknown_slot_type_is_read_but_its_rule_is_left_out_with_a_note()
    {
        var manifest = ExpertManifestReader.Parse("""
            name: spinner
            description: spins
            routing:
              - examples: [spin it]
                slots: { degrees: angel }
            """, "spinner.yaml");
        var entries = new[] { new Core.Experts.ExpertEntry(manifest, Microsoft.SemanticKernel.KernelPluginFactory.CreateFromFunctions("spinner",
            [Microsoft.SemanticKernel.KernelFunctionFactory.CreateFromMethod((string image) => image, "spinner")]), "test") };

        var index = new Core.Llm.Offline.RoutingIndex(new Core.Experts.ExpertRegistry(entries, new DictionaryModelLocator()), null);

        Assert.Empty(index.Candidates);
        Assert.Contains("unknown slot type(s) angel", Assert.Single(index.Problems));
    }

    [Fact]
    public void A_malformed_require_entry_is_refused_with_the_file_name()
    {
        var error = Assert.Throws<BadInputException>(() => ExpertManifestReader.Parse("""
            name: spinner
            description: spins
            routing:
              - examples: [spin it]
                require: ["degrees||"]
            """, "spinner.yaml"));

        Assert.StartsWith("spinner.yaml: require entry", error.Message);
    }
}
