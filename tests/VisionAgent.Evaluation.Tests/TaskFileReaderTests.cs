using VisionAgent.Evaluation.Tasks;
using VisionAgent.Testing;

namespace VisionAgent.Evaluation.Tests;

public sealed class TaskFileReaderTests : IClassFixture<EvalFixture>
{
    private readonly EvalFixture _fixture;

    public TaskFileReaderTests(EvalFixture fixture) => _fixture = fixture;

    private string Write(string yaml)
    {
        var folder = _fixture.NewFolder("tasks");
        File.Copy(RepositoryPaths.SampleImage("chelsea.png"), Path.Combine(folder, "cat.png"));
        var path = Path.Combine(folder, "suite.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    [Fact]
    public void Reads_single_and_multi_turn_tasks_with_every_field()
    {
        var path = Write("""
            tasks:
              - id: one
                tags: [a, b]
                images: [cat.png]
                max_steps: 4
                ask: How big?
                expect: {number: {value: 451, tolerance: 1}}
                tools: {must_call: [image_info], must_not_call: [edit]}
              - id: two
                images: cat.png
                turns:
                  - ask: Mask it
                    expect: any
                    produces: [{kind: mask, count: 2}]
                    max_steps: 2
                  - ask: Judge me
                    expect: {judge: {rubric: says hello}}
            """);

        var tasks = TaskFileReader.Load([path]);

        Assert.Equal(2, tasks.Count);
        var one = tasks[0];
        Assert.Equal(["a", "b"], one.Tags);
        Assert.Equal(Path.Combine(Path.GetDirectoryName(path)!, "cat.png"), one.Images[0]);
        Assert.Equal(4, one.MaxSteps);
        Assert.Equal(2, one.Line);
        Assert.Equal(new NumberExpectation(451, 1), one.Turns[0].Expect);
        Assert.Equal(["image_info"], one.Turns[0].MustCall);
        Assert.Equal(["edit"], one.Turns[0].MustNotCall);
        var two = tasks[1];
        Assert.Equal(2, two.Turns.Count);
        Assert.IsType<AnyAnswerExpectation>(two.Turns[0].Expect);
        Assert.Equal([new ImageExpectation("mask", 2)], two.Turns[0].Images);
        Assert.Equal(2, two.Turns[0].MaxSteps);
        Assert.Equal(new JudgeExpectation("says hello"), two.Turns[1].Expect);
    }

    [Theory]
    [InlineData("id: x\nask: q\nexpect: {exact: a}\ncolour: red\n", 4, "unknown task key 'colour'")]
    [InlineData("id: x\n\nask: q\n", 1, "the turn has no 'expect'")]
    [InlineData("id: x\nask: q\nexpect:\n  regex: '([a-z'\n", 4, "invalid regular expression")]
    [InlineData("id: x\nask: q\nexpect: {number: {value: ten}}\n", 3, "'value' must be a number")]
    [InlineData("id: x\nask: q\nexpect: {exact: a, regex: b}\n", 3, "'expect' needs exactly one of")]
    [InlineData("id: x\nask: q\nexpect: {similar: a}\n", 3, "unknown expectation 'similar'")]
    [InlineData("id: x\nimages: [nothere.png]\nask: q\nexpect: any\n", 2, "image 'nothere.png' not found")]
    [InlineData("id: x\nturns:\n  - ask: q\n    expect: any\n    max_steps: -1\n", 5, "'max_steps' must be a positive whole number")]
    [InlineData("id: bad id\nask: q\nexpect: any\n", 1, "may hold only letters")]
    [InlineData("id: x\nask: [q\n", 3, "not valid YAML")]
    [InlineData("tasks:\n  - id: x\n    ask: q\n    expect: any\n  - id: x\n    ask: r\n    expect: any\n", 5, "task id 'x' is used more than once")]
    public void Schema_errors_name_file_and_line(string yaml, int line, string message)
    {
        var path = Write(yaml);

        var error = Assert.Throws<TaskFileException>(() => TaskFileReader.Load([path]));

        Assert.Contains(error.Problems, p => p.StartsWith($"{path}:{line}: ", StringComparison.Ordinal) && p.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void Folders_are_searched_in_name_order_and_cassettes_are_skipped()
    {
        var folder = _fixture.NewFolder("tree");
        Directory.CreateDirectory(Path.Combine(folder, "sub"));
        File.WriteAllText(Path.Combine(folder, "b.yaml"), "id: b\nask: q\nexpect: any\n");
        File.WriteAllText(Path.Combine(folder, "sub", "a.yml"), "id: a\nask: q\nexpect: any\n");
        File.WriteAllText(Path.Combine(folder, "a.cassette.yaml"), "format: 1\n");

        var tasks = TaskFileReader.Load([folder]);

        Assert.Equal(["b", "a"], tasks.Select(t => t.Id));
    }

    [Fact]
    public void Sample_suites_parse()
    {
        var tasks = TaskFileReader.Load([RepositoryPaths.SampleTasks, Path.Combine(RepositoryPaths.Samples, "benchmark")]);

        Assert.Contains(tasks, t => t.Id == "cat-then-coins" && t.Turns.Count == 2);
        Assert.Contains(tasks, t => t.Tags.Contains("ocr"));
    }

    [Fact]
    public void Produced_images_take_a_size_and_a_coverage_range()
    {
        var path = Write("""
            id: cut
            images: [cat.png]
            ask: Cut out the cat
            expect: any
            produces:
              - {kind: mask, width: 451, height: 300, coverage: {min: 0.6, max: 0.9}}
              - {kind: cutout, coverage: {max: 0.5}}
            """);

        var images = TaskFileReader.Load([path]).Single().Turns[0].Images;

        Assert.Equal(new ImageExpectation("mask") { Width = 451, Height = 300, Coverage = new CoverageRange(0.6, 0.9) }, images[0]);
        Assert.Equal(new CoverageRange(0, 0.5), images[1].Coverage);
        Assert.Equal("mask 451x300 coverage 0.6..0.9", images[0].Describe());
    }

    [Fact]
    public void A_coverage_outside_zero_to_one_or_upside_down_is_an_error_with_its_line()
    {
        var path = Write("""
            id: cut
            images: [cat.png]
            ask: Cut out the cat
            expect: any
            produces:
              - {kind: mask, coverage: {min: 0.9, max: 0.2}}
              - {kind: mask, coverage: 0.5}
              - {kind: mask, width: -3}
            """);

        var error = Assert.Throws<TaskFileException>(() => TaskFileReader.Load([path]));

        Assert.Contains($"{path}:6: 'coverage' needs 0 <= min <= max <= 1", error.Message, StringComparison.Ordinal);
        Assert.Contains($"{path}:7: 'coverage' is a range such as", error.Message, StringComparison.Ordinal);
        Assert.Contains($"{path}:8: 'width' must be a positive whole number", error.Message, StringComparison.Ordinal);
    }
}
