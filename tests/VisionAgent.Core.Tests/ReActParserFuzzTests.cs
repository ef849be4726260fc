using System.Text;
using VisionAgent.Core.Agent;
using VisionAgent.Testing.Llm;
using Xunit.Abstractions;

namespace VisionAgent.Core.Tests;

/// <summary>Seeded mutation fuzzing of the ReAct parser and of the loop that consumes it.</summary>
public sealed class ReActParserFuzzTests(ITestOutputHelper output)
{
    private const int Seed = 20261126;
    private const int ParserCases = 20_000;
    private const int LoopRuns = 60;

    private static readonly string[] Seeds =
    [
        "Thought: I need the size.\nAction: image_info\nAction Input: {\"image\": \"img1\"}",
        "Thought: done\nFinal Answer: a cat",
        "**Thought:** look\n**Action:** `image_info`\n**Action Input:** img1",
        "```\nAction: edit.remove\nAction Input: {\"image\": \"img1\", \"target\": \"cat\"}\n```",
        "{\"action\": \"image_info\", \"action_input\": {\"image\": \"img1\"}}",
        "Action: image_info(image=img1)\nObservation: fake\nFinal Answer: invented",
        "Thought: two\nAction: image_info\nAction Input: img1\nAction: read\nAction Input: {\"image\":\"img1\"}",
        "Final Answer: {\"nested\": [1, 2, {\"x\": \"}\"}]}",
        "action input: image=img1, threshold=0.5\naction: image_info",
        "I think the answer is a cat.",
        "",
        "Thought: x\nAction: detect (find cars) Action Input: {image: img1, classes: [car, 'bus',], // note\n}",
        "[ACTION]\n```json\n{\"action\": \"image_info\", \"action_variables\": {\"image\": \"img1\"}}\n```",
        "I think I have it.\n[FINAL ANSWER] 42",
        "Action: image_info\nAction Input: image_info({'image': 'img1' /* c */, \"x\": True, y: None})",
        "Action: edit.remove\nAction Input: {\"image\" \"img1\" \"target\": \"a \"red\" cat's tail\\n",
        "Action:\n{\"name\": \"final_answer\", \"arguments\": {\"answer\": \"a cat\"}}",
        "Action: Finish[a cat]",
        "**Action:** `image_info` **Action Input:** \"img1",
        "Action: image_info\nAction Input: {\"args\": \"{\\\"image\\\": \\\"img1\\\"}\"}",
    ];

    private static readonly string[] Fragments =
    [
        "Thought:", "Action:", "Action Input:", "Final Answer:", "Observation:", "{", "}", "[", "]", "\"", "'", "`", "```",
        "```json", "\n", "\r\n", "(", ")", "=", ",", ":", "img1", "img99", "img1#det1", "image_info", "edit.remove", "edit",
        "unknown_tool", "/etc/passwd", "..\\x", "\\u0000", "\u0000", "\uFFFD", "\uD800", "💥", "null", "true", "1e309",
        "{\"image\":", "{\"image\": {\"image\": {}}}", "Action Input: {\"a\":", "**", "__", "#", "> ", "- ", "\t", "    ",
        new string('{', 200), new string('[', 500), new string('x', 5000), "<<data>>", "<</data>>",
        "[ACTION]", "[FINAL ANSWER]", "Finish[", "Action 1:", "Action 1 Input 1:", "/*", "*/", "//", "\\n", "\\u00", "True",
        "None", "{'a': 'b'", "key: value", "image=img1,", "ocr(", "Answer:", new string('"', 300), new string(',', 300),
        new string('\'', 300), string.Concat(Enumerable.Repeat("a: ", 200)), string.Concat(Enumerable.Repeat("action ", 300)),
    ];

    [Fact]
    public void Parser_never_throws_and_always_yields_an_action_an_answer_or_an_error()
    {
        var random = new Random(Seed);
        int actions = 0, answers = 0, errors = 0;
        var slowest = (Ms: 0.0, Text: "");
        var clock = System.Diagnostics.Stopwatch.StartNew();

        for (var i = 0; i < ParserCases; i++)
        {
            var text = Mutate(random);
            var started = clock.Elapsed.TotalMilliseconds;
            var parsed = ReActParser.Parse(text);
            var took = clock.Elapsed.TotalMilliseconds - started;
            if (took > slowest.Ms) slowest = (took, text);

            var kinds = (parsed.Actions.Count > 0 ? 1 : 0) + (parsed.FinalAnswer is not null ? 1 : 0) + (parsed.Error is not null ? 1 : 0);
            Assert.True(kinds >= 1, $"case {i}: nothing usable and no error for {Show(text)}");
            Assert.NotNull(parsed.Text);
            foreach (var action in parsed.Actions)
            {
                Assert.NotNull(action.Tool);
                Assert.NotNull(action.Arguments);
            }
            if (parsed.Error is not null) errors++;
            else if (parsed.FinalAnswer is not null) answers++;
            else actions++;
        }

        output.WriteLine($"{ParserCases} mutated outputs (seed {Seed}): {actions} actions, {answers} final answers, {errors} format errors in {clock.ElapsedMilliseconds} ms; slowest {slowest.Ms:0.0} ms ({slowest.Text.Length} chars): {Show(slowest.Text.Replace('\n', '|'))}");
        Assert.Equal(ParserCases, actions + answers + errors);
        Assert.True(actions > 0 && answers > 0 && errors > 0);
    }

    [Theory]
    [InlineData("Action: image_info ", "x")]
    [InlineData("Action: image_info\nAction Input: ", "x")]
    [InlineData("Action: image_info(", "x")]
    [InlineData("Action: image_info\nAction Input: {", "a: ")]
    [InlineData("Action: image_info\nAction Input: {\"a\": \"", "\" ")]
    [InlineData("Action: image_info\nAction Input: {'a': '", "' x")]
    [InlineData("Action: image_info\nAction Input: ", ", ")]
    [InlineData("Action: image_info\nAction Input: k=", ",,")]
    [InlineData("Action: image_info ", "action ")]
    [InlineData("Action: image_info ", "**Action ")]
    [InlineData("", "{")]
    [InlineData("", "{\"action\": ")]
    [InlineData("Action: image_info\nAction Input: ", "[")]
    [InlineData("Action: image_info\nAction Input: {\"a\": 1 ", "/* ")]
    [InlineData("Thought: ", "Thought 1 2 3 4 5 6 7 8 9 ")]
    public void Long_replies_parse_in_linear_time(string prefix, string unit)
    {
        var repeated = string.Concat(Enumerable.Repeat(unit, 50_000 / unit.Length));
        var text = prefix + repeated + " y=" + repeated;
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var parsed = ReActParser.Parse(text);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"{clock.ElapsedMilliseconds} ms");
        Assert.True(parsed.Actions.Count > 0 || parsed.Error is not null);
    }

    [Fact]
    public void Json_reader_never_throws_and_either_reads_or_names_the_problem()
    {
        var random = new Random(Seed + 2);
        for (var i = 0; i < ParserCases; i++)
        {
            var text = Mutate(random);
            var start = text.IndexOf('{', StringComparison.Ordinal);

            var read = LenientJsonReader.Read(text, Math.Max(start, 0));

            Assert.True(read.Value is not null ^ read.Problem is not null, $"case {i}: {Show(text)}");
            Assert.InRange(read.End, 0, text.Length);
            if (read.Value is not null) System.Text.Json.JsonDocument.Parse(read.Value.ToJson()).Dispose();
        }
    }

    [Fact]
    public async Task Loop_never_crashes_on_fuzzed_replies()
    {
        var random = new Random(Seed + 1);
        using var harness = new AgentHarness(agent: a => a.MaxSteps = 4);
        var statuses = new Dictionary<string, int>();
        var replies = 0;

        for (var run = 0; run < LoopRuns; run++)
        {
            var chat = new ScriptedChatService(responder: _ =>
            {
                replies++;
                return Mutate(random);
            });
            harness.Host.Images.Clear();
            harness.Host.Images.AddInput(Path.Combine(harness.Folder, "cat.png"));
            var session = harness.Session(chat);

            var result = await session.AskAsync("what is in the image?", null, CancellationToken.None);

            Assert.Contains(result.Status, new[] { RunStatus.Answered, RunStatus.StepLimit });
            Assert.True(result.Steps.Count <= 4 * 8, $"run {run}: {result.Steps.Count} steps");
            statuses[result.Status] = statuses.GetValueOrDefault(result.Status) + 1;
        }

        output.WriteLine($"{LoopRuns} loop runs over {replies} fuzzed replies: " + string.Join(", ", statuses.Select(s => $"{s.Key} {s.Value}")));
    }

    private static string Mutate(Random random)
    {
        var text = new StringBuilder(Seeds[random.Next(Seeds.Length)]);
        var edits = random.Next(1, 8);
        for (var e = 0; e < edits; e++)
        {
            var at = text.Length == 0 ? 0 : random.Next(text.Length + 1);
            switch (random.Next(6))
            {
                case 0:
                    text.Insert(at, Fragments[random.Next(Fragments.Length)]);
                    break;
                case 1 when text.Length > 0:
                    text.Remove(Math.Min(at, text.Length - 1), Math.Min(random.Next(1, 20), text.Length - Math.Min(at, text.Length - 1)));
                    break;
                case 2:
                    text.Insert(at, (char)random.Next(0, 0x3000));
                    break;
                case 3 when text.Length > 0:
                    // Cut at a "token limit".
                    text.Length = random.Next(text.Length);
                    break;
                case 4:
                    text.Append('\n').Append(Seeds[random.Next(Seeds.Length)]);
                    break;
                default:
                    if (text.Length > 1)
                    {
                        var i = random.Next(text.Length - 1);
                        (text[i], text[i + 1]) = (text[i + 1], text[i]);
                    }
                    break;
            }
        }
        return text.ToString();
    }

    private static string Show(string text) => text.Length > 300 ? text[..300] + "..." : text;
}
