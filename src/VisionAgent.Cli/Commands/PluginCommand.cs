using System.CommandLine;
using VisionAgent.ExternalExperts.Scaffold;

namespace VisionAgent.Cli.Commands;

/// <summary><c>visionagent plugin new NAME [--output DIR]</c>: scaffolds a code plugin with a test project.</summary>
public static class PluginCommand
{
    public static readonly Argument<string> Name = new("name") { Description = "The expert's tool name (snake_case, e.g. image_hash)" };
    public static readonly Option<string?> Output = new("--output", "-o") { Description = "The plugin folder to create (default: ./NAME)" };
    public static readonly Option<string?> Abstractions = new("--abstractions") { Description = "VisionAgent.Abstractions.csproj or .dll to reference (default: found beside this program)" };

    public static Command Create()
    {
        var create = new Command("new", "Scaffold a code plugin (project, module, plugin class, expert.yaml, test project)") { Name, Output, Abstractions };
        create.SetAction((parse, _) => Task.FromResult(New(parse)));
        return new Command("plugin", "Create expert plugins") { create };
    }

    private static int New(ParseResult parse)
    {
        var name = parse.GetValue(Name)!;
        var directory = parse.GetValue(Output) ?? Path.Combine(Directory.GetCurrentDirectory(), name);
        var abstractions = parse.GetValue(Abstractions) ?? PluginScaffold.FindAbstractions();
        var files = PluginScaffold.Write(name, directory, abstractions);
        var output = parse.InvocationConfiguration.Output;
        foreach (var file in files) output.WriteLine(Path.GetRelativePath(Directory.GetCurrentDirectory(), file));
        output.WriteLine($"next: dotnet build {directory} && copy the folder under plugins/ (or add it to plugins: in visionagent.yaml)");
        return 0;
    }
}
