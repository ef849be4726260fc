using System.Globalization;
using System.Text.RegularExpressions;
using VisionAgent.Abstractions;
using VisionAgent.Core.Configuration;
using YamlDotNet.RepresentationModel;

namespace VisionAgent.Evaluation.Tasks;

/// <summary>A task file that does not follow the schema; the message lists every problem as file:line: what is wrong.</summary>
public sealed class TaskFileException(IReadOnlyList<string> problems)
    : BadInputException(string.Join(Environment.NewLine, problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>
/// Reads task files (YAML) into <see cref="EvalTask"/>s, checking the schema by hand over the YAML node tree so
/// that every error names the file and line it comes from. Size, nesting depth and alias expansion are bounded
/// (<see cref="YamlInputGuard"/>) before the tree is built.
/// </summary>
public static class TaskFileReader
{
    private static readonly string[] TaskKeys = ["id", "tags", "images", "max_steps", "turns", "ask", "expect", "tools", "produces"];
    private static readonly string[] TurnKeys = ["ask", "expect", "tools", "max_steps", "produces"];
    private static readonly string[] ExpectKeys = ["exact", "any_of", "contains_all", "regex", "number", "judge"];

    /// <summary>Every task under the given files and folders (folders searched recursively for *.yaml and *.yml, in name order).</summary>
    public static IReadOnlyList<EvalTask> Load(IEnumerable<string> paths)
    {
        var tasks = new List<EvalTask>();
        var problems = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                var files = Directory.EnumerateFiles(path, "*.*", SearchOption.AllDirectories)
                    .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
                    .Where(f => !f.EndsWith(Recording.CassetteStore.Extension, StringComparison.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal);
                foreach (var file in files) Collect(file, tasks, problems);
            }
            else if (File.Exists(path))
            {
                Collect(path, tasks, problems);
            }
            else
            {
                problems.Add($"{path}: no such file or folder");
            }
        }
        foreach (var duplicate in tasks.GroupBy(t => t.Id, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            var places = duplicate.Select(t => $"{t.File}:{t.Line}").ToList();
            problems.Add($"{places[1]}: task id '{duplicate.Key}' is used more than once (first at {places[0]})");
        }
        if (problems.Count > 0) throw new TaskFileException(problems);
        return tasks;
    }

    /// <summary>The tasks of one file's text; <paramref name="file"/> names it in errors and anchors relative image paths.</summary>
    public static IReadOnlyList<EvalTask> Parse(string text, string file)
    {
        var tasks = new List<EvalTask>();
        var problems = new List<string>();
        ParseInto(text, file, tasks, problems);
        if (problems.Count > 0) throw new TaskFileException(problems);
        return tasks;
    }

    private static void Collect(string file, List<EvalTask> tasks, List<string> problems)
    {
        string text;
        try
        {
            text = YamlInputGuard.ReadFile(file);
        }
        catch (BadInputException ex)
        {
            problems.Add(ex.Message);
            return;
        }
        ParseInto(text, file, tasks, problems);
    }

    private static void ParseInto(string text, string file, List<EvalTask> tasks, List<string> problems)
    {
        var reader = new Reader(file, problems);
        YamlStream stream;
        try
        {
            stream = YamlInputGuard.LoadTree(text, file);
        }
        catch (BadInputException ex)
        {
            problems.Add(ex.Message);
            return;
        }
        if (stream.Documents.Count == 0)
        {
            problems.Add($"{file}:1: the file is empty");
            return;
        }
        foreach (var document in stream.Documents)
        {
            if (document.RootNode is not YamlMappingNode root)
            {
                reader.Problem(document.RootNode, "a task file holds a mapping: one task, or 'tasks:' with a list of them");
                continue;
            }
            if (reader.Child(root, "tasks") is { } list)
            {
                if (root.Children.Count > 1) reader.Problem(root, "a file with 'tasks:' has no other top-level keys");
                if (list is not YamlSequenceNode sequence)
                {
                    reader.Problem(list, "'tasks' must be a list of tasks");
                    continue;
                }
                foreach (var item in sequence)
                {
                    if (item is YamlMappingNode mapping) reader.Task(mapping, tasks);
                    else reader.Problem(item, "each entry of 'tasks' must be a mapping");
                }
            }
            else
            {
                reader.Task(root, tasks);
            }
        }
    }

    private sealed class Reader(string file, List<string> problems)
    {
        private readonly string _directory = Path.GetDirectoryName(Path.GetFullPath(file)) ?? ".";

        public void Problem(YamlNode node, string message) =>
            problems.Add($"{file}:{node.Start.Line}: {message}");

        public YamlNode? Child(YamlMappingNode mapping, string key) =>
            mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

        public void Task(YamlMappingNode node, List<EvalTask> tasks)
        {
            var before = problems.Count;
            CheckKeys(node, TaskKeys, "task");
            var id = RequiredScalar(node, "id", "task");
            if (id is not null && !Regex.IsMatch(id, "^[A-Za-z0-9][A-Za-z0-9_.-]*$"))
                Problem(Child(node, "id")!, $"task id '{id}' may hold only letters, digits, '.', '_' and '-' (it names cassette files)");
            var tags = StringList(node, "tags");
            var images = StringList(node, "images").Select((p, i) => ResolveImage(node, p)).ToList();
            var maxSteps = PositiveInt(node, "max_steps");

            List<EvalTurn> turns = [];
            var turnsNode = Child(node, "turns");
            if (turnsNode is not null)
            {
                if (Child(node, "ask") is { } ask) Problem(ask, "use either 'turns' or a single 'ask', not both");
                if (turnsNode is YamlSequenceNode { Children.Count: > 0 } sequence)
                {
                    foreach (var item in sequence)
                    {
                        if (item is YamlMappingNode turn)
                        {
                            CheckKeys(turn, TurnKeys, "turn");
                            if (Turn(turn) is { } parsed) turns.Add(parsed);
                        }
                        else
                        {
                            Problem(item, "each turn is a mapping with 'ask' and 'expect'");
                        }
                    }
                }
                else
                {
                    Problem(turnsNode, "'turns' must be a non-empty list");
                }
            }
            else if (Turn(node) is { } single)
            {
                turns.Add(single);
            }
            if (problems.Count > before || id is null) return;
            tasks.Add(new EvalTask
            {
                Id = id,
                File = file,
                Line = (int)node.Start.Line,
                Tags = tags,
                Images = images,
                MaxSteps = maxSteps,
                Turns = turns,
            });
        }

        private string ResolveImage(YamlMappingNode task, string path)
        {
            if (path.Contains('\0'))
            {
                Problem(Child(task, "images")!, "an image path holds a NUL character");
                return path;
            }
            var full = Path.GetFullPath(Path.Combine(_directory, path));
            if (!File.Exists(full)) Problem(Child(task, "images")!, $"image '{path}' not found (paths are relative to the task file: {full})");
            return full;
        }

        private EvalTurn? Turn(YamlMappingNode node)
        {
            var before = problems.Count;
            var ask = RequiredScalar(node, "ask", "turn");
            var expectNode = Child(node, "expect");
            Expectation? expect = null;
            if (expectNode is null) Problem(node, "the turn has no 'expect' (use 'expect: any' when only tools, steps or images are checked)");
            else expect = Expect(expectNode);

            IReadOnlyList<string> mustCall = [], mustNotCall = [];
            if (Child(node, "tools") is { } tools)
            {
                if (tools is YamlMappingNode toolMap)
                {
                    CheckKeys(toolMap, ["must_call", "must_not_call"], "tools");
                    mustCall = StringList(toolMap, "must_call");
                    mustNotCall = StringList(toolMap, "must_not_call");
                }
                else
                {
                    Problem(tools, "'tools' is a mapping with must_call and/or must_not_call lists");
                }
            }

            var produced = new List<ImageExpectation>();
            if (Child(node, "produces") is { } producesNode)
            {
                if (producesNode is YamlSequenceNode sequence)
                {
                    foreach (var item in sequence)
                    {
                        if (item is YamlMappingNode image)
                        {
                            if (ProducedImage(image) is { } expectation) produced.Add(expectation);
                        }
                        else
                        {
                            Problem(item, "each produced image is a mapping such as {kind: mask, width: 640, height: 480, coverage: {min: 0.1, max: 0.5}}");
                        }
                    }
                }
                else
                {
                    Problem(producesNode, "'produces' is a list such as [{kind: mask}]");
                }
            }
            var maxSteps = PositiveInt(node, "max_steps");
            if (problems.Count > before || ask is null || expect is null) return null;
            return new EvalTurn
            {
                Ask = ask,
                Expect = expect,
                MustCall = mustCall,
                MustNotCall = mustNotCall,
                MaxSteps = maxSteps,
                Images = produced,
                Line = (int)node.Start.Line,
            };
        }

        private ImageExpectation? ProducedImage(YamlMappingNode image)
        {
            var before = problems.Count;
            CheckKeys(image, ["kind", "count", "width", "height", "coverage"], "produced image");
            var kind = RequiredScalar(image, "kind", "produced image");
            var count = PositiveInt(image, "count") ?? 1;
            var width = PositiveInt(image, "width");
            var height = PositiveInt(image, "height");
            CoverageRange? coverage = null;
            if (Child(image, "coverage") is { } coverageNode)
            {
                if (coverageNode is YamlMappingNode range)
                {
                    CheckKeys(range, ["min", "max"], "coverage");
                    var min = Child(range, "min") is { } minNode ? Double(minNode, "min") : 0;
                    var max = Child(range, "max") is { } maxNode ? Double(maxNode, "max") : 1;
                    if (min is { } lo && max is { } hi)
                    {
                        if (lo < 0 || hi > 1 || lo > hi) Problem(range, "'coverage' needs 0 <= min <= max <= 1 (fractions of the image)");
                        else coverage = new CoverageRange(lo, hi);
                    }
                }
                else
                {
                    Problem(coverageNode, "'coverage' is a range such as {min: 0.1, max: 0.5} (fractions of the image)");
                }
            }
            if (problems.Count > before || kind is null) return null;
            return new ImageExpectation(kind, count) { Width = width, Height = height, Coverage = coverage };
        }

        private Expectation? Expect(YamlNode node)
        {
            if (node is YamlScalarNode { Value: "any" }) return new AnyAnswerExpectation();
            if (node is not YamlMappingNode mapping || mapping.Children.Count != 1)
            {
                Problem(node, $"'expect' needs exactly one of: {string.Join(", ", ExpectKeys)} (or the word any)");
                return null;
            }
            var (keyNode, value) = mapping.Children.First();
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            switch (key)
            {
                case "exact":
                    return Scalar(value, "exact") is { } exact ? new ExactExpectation(exact) : null;
                case "any_of":
                    return NonEmptyList(value, "any_of") is { } options ? new AnyOfExpectation(options) : null;
                case "contains_all":
                    return NonEmptyList(value, "contains_all") is { } parts ? new ContainsAllExpectation(parts) : null;
                case "regex":
                    if (Scalar(value, "regex") is not { } pattern) return null;
                    try
                    {
                        _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromSeconds(1));
                    }
                    catch (ArgumentException ex)
                    {
                        Problem(value, $"invalid regular expression: {ex.Message}");
                        return null;
                    }
                    return new RegexExpectation(pattern);
                case "number":
                    return Number(value);
                case "judge":
                    if (value is YamlMappingNode judge)
                    {
                        CheckKeys(judge, ["rubric"], "judge");
                        return RequiredScalar(judge, "rubric", "judge") is { } rubric ? new JudgeExpectation(rubric) : null;
                    }
                    return Scalar(value, "judge") is { } text ? new JudgeExpectation(text) : null;
                default:
                    Problem(keyNode, $"unknown expectation '{key}'; use one of: {string.Join(", ", ExpectKeys)}");
                    return null;
            }
        }

        private NumberExpectation? Number(YamlNode node)
        {
            if (node is YamlScalarNode)
                return Double(node, "number") is { } v ? new NumberExpectation(v, 0) : null;
            if (node is not YamlMappingNode mapping)
            {
                Problem(node, "'number' is a number or {value: N, tolerance: T}");
                return null;
            }
            CheckKeys(mapping, ["value", "tolerance"], "number");
            var valueNode = Child(mapping, "value");
            if (valueNode is null)
            {
                Problem(mapping, "'number' needs a 'value'");
                return null;
            }
            var value = Double(valueNode, "value");
            var tolerance = Child(mapping, "tolerance") is { } t ? Double(t, "tolerance") : 0;
            if (tolerance < 0) Problem(Child(mapping, "tolerance")!, "'tolerance' cannot be negative");
            return value is { } v2 && tolerance is { } tol && tol >= 0 ? new NumberExpectation(v2, tol) : null;
        }

        private double? Double(YamlNode node, string key)
        {
            if (node is YamlScalarNode { Value: { } text } && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                return value;
            Problem(node, $"'{key}' must be a number");
            return null;
        }

        private int? PositiveInt(YamlMappingNode mapping, string key)
        {
            if (Child(mapping, key) is not { } node) return null;
            if (node is YamlScalarNode { Value: { } text } && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0)
                return value;
            Problem(node, $"'{key}' must be a positive whole number");
            return null;
        }

        private string? RequiredScalar(YamlMappingNode mapping, string key, string what)
        {
            if (Child(mapping, key) is { } node) return Scalar(node, key);
            Problem(mapping, $"the {what} has no '{key}'");
            return null;
        }

        private string? Scalar(YamlNode node, string key)
        {
            if (node is YamlScalarNode { Value: { } text } && text.Trim().Length > 0) return text;
            Problem(node, $"'{key}' must be a non-empty text");
            return null;
        }

        private IReadOnlyList<string>? NonEmptyList(YamlNode node, string key)
        {
            if (node is YamlSequenceNode { Children.Count: > 0 } sequence)
            {
                var items = sequence.Select(i => Scalar(i, key)).ToList();
                return items.All(i => i is not null) ? items.Select(i => i!).ToList() : null;
            }
            Problem(node, $"'{key}' must be a non-empty list of texts");
            return null;
        }

        private List<string> StringList(YamlMappingNode mapping, string key)
        {
            if (Child(mapping, key) is not { } node) return [];
            if (node is YamlScalarNode { Value: { } single } && single.Length > 0) return [single];
            return NonEmptyList(node, key)?.ToList() ?? [];
        }

        private void CheckKeys(YamlMappingNode mapping, string[] allowed, string what)
        {
            foreach (var key in mapping.Children.Keys)
            {
                var name = (key as YamlScalarNode)?.Value ?? "";
                if (!allowed.Contains(name, StringComparer.Ordinal))
                    Problem(key, $"unknown {what} key '{name}'; allowed: {string.Join(", ", allowed)}");
            }
        }
    }
}
