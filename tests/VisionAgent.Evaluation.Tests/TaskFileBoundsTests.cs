using System.Text;
using VisionAgent.Evaluation.Tasks;

namespace VisionAgent.Evaluation.Tests;

/// <summary>Task files built to crash or stall a YAML reader are refused quickly, with file and line.</summary>
public sealed class TaskFileBoundsTests
{
    private const string File = "/suite/hostile.yaml";

    private static TaskFileException Refused(string yaml) =>
        Assert.Throws<TaskFileException>(() => TaskFileReader.Parse(yaml, File));

    [Fact]
    public void Nested_flow_sequences_are_refused_not_a_stack_overflow()
    {
        // 60 KB of '[' used to overflow the stack (exit 134 with 50,000 lines of trace).
        var yaml = "id: deep\nask: q\nexpect: any\ntags: " + new string('[', 30_000) + new string(']', 30_000) + "\n";

        var error = Refused(yaml);

        Assert.Equal($"{File}:4: nested more than 64 levels deep", Assert.Single(error.Problems));
    }

    [Fact]
    public void Alias_bomb_is_refused_before_expansion()
    {
        // 661 bytes that stand for 10^10 values (63 s at depth 9 before).
        var yaml = new StringBuilder("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (var i = 1; i <= 9; i++) yaml.Append($"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]\n");
        yaml.Append("id: bomb\nask: q\nexpect: any\n");

        var error = Refused(yaml.ToString());

        Assert.Matches(@"^/suite/hostile\.yaml:\d+: stands for more than 200,000 values once its aliases are expanded$", Assert.Single(error.Problems));
    }

    [Theory]
    [InlineData("id: x\nask: q\nexpect: any\ntags: [a, b\n")]
    [InlineData("id: x\nask: q\nexpect: any\ntags: [a, [b, {c: ]]\n")]
    [InlineData("tasks: [{id: x, ask: q, expect: any}, {id: y\n")]
    [InlineData("id: x\nask: q\nexpect: {[a]: b}\n")]
    [InlineData("id: x\nask: q\nexpect: any\ntags: *nothing\n")]
    public void Broken_flow_sequences_are_refused_with_a_line(string yaml)
    {
        var error = Refused(yaml);

        Assert.All(error.Problems, p => Assert.Matches(@"^/suite/hostile\.yaml:\d+: \S", p));
    }

    [Fact]
    public void Alias_inside_its_own_node_is_refused()
    {
        var error = Refused("id: x\nask: q\nexpect: any\ntags: &a [b, *a]\n");

        Assert.Equal($"{File}:4: the alias *a is inside the node it names (a cycle)", Assert.Single(error.Problems));
    }

    [Fact]
    public void Oversized_text_is_refused()
    {
        var error = Refused("id: x\nask: q\nexpect: any\n#" + new string('x', Core.Configuration.YamlInputGuard.MaxBytes));

        Assert.StartsWith($"{File}:1: the text is", Assert.Single(error.Problems), StringComparison.Ordinal);
    }
}
