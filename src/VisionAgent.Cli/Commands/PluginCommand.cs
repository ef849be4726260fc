using System.CommandLine;
using Spectre.Console;
using VisionAgent.Abstractions;
using VisionAgent.Cli.Rendering;
using VisionAgent.ExternalExperts.Folders;
using VisionAgent.ExternalExperts.Scaffold;
using VisionAgent.Hosting;

namespace VisionAgent.Cli.Commands;

/// <summary>
/// <c>visionagent plugin new NAME [--output DIR] [--feed DIR]</c> scaffolds a code plugin with a test project;
/// <c>visionagent plugin list [--json]</c> shows the plugin folders and what each plugin's status is.
/// </summary>
public static class PluginCommand
{
    public static readonly Argument<string> Name = new("name") { Description = "The expert's tool name (snake_case, e.g. image_hash)" };
    public static readonly Option<string?> Output = new("--output", "-o") { Description = "The plugin folder to create (default: ./NAME)" };
    public static readonly Option<string?> Feed = new("--feed")
    {
        Description = "A folder (or feed URL) that serves the VisionAgent.Abstractions package, written into the plugin's nuget.config (default: artifacts/packages of the source tree this program runs from; none for an installed program)",
    };
    public static readonly Option<bool> NoFeed = new("--no-feed") { Description = "Write no nuget.config: VisionAgent.Abstractions comes from your usual NuGet sources" };
    public static readonly Option<bool> Json = new("--json") { Description = "Print JSON" };

    /// <summary>One plugin as <c>plugin list</c> shows it.</summary>
    public sealed record PluginInfo(string Name, string Manifest, string Status, string? Detail, string? Seam);

    /// <summary>A folder scanned for plugins, and who named it (working_directory, config, environment).</summary>
    public sealed record FolderInfo(string Path, string Origin, string? Problem);

    /// <summary>What <c>plugin list --json</c> prints.</summary>
    public sealed record PluginListing(string HostSeam, IReadOnlyList<FolderInfo> Folders, IReadOnlyList<PluginInfo> Plugins);

    public static Command Create()
    {
        var create = new Command("new", "Scaffold a code plugin (project, module, plugin class, expert.yaml, nuget.config, test project)") { Name, Output, Feed, NoFeed };
        create.SetAction((parse, _) => Task.FromResult(New(parse)));
        var list = new Command("list", "List the plugin folders and the plugins found in them, with their status") { Json };
        list.SetAction(ListAsync);
        return new Command("plugin", "Create and inspect expert plugins") { create, list };
    }

    private static int New(ParseResult parse)
    {
        var name = parse.GetValue(Name)!;
        var directory = Path.GetFullPath(parse.GetValue(Output) ?? Path.Combine(Directory.GetCurrentDirectory(), name));
        var version = PluginScaffold.SeamPackageVersion;
        var sourceTreeFeed = PluginScaffold.FindLocalFeed();
        if (parse.GetValue(NoFeed) && parse.GetValue(Feed) is not null)
            throw new BadInputException("--feed and --no-feed exclude each other: give one of them");
        var feed = parse.GetValue(NoFeed) ? null : parse.GetValue(Feed) is { } given ? AbsoluteUnlessUrl(given) : sourceTreeFeed;
        var files = PluginScaffold.Write(name, directory, version, feed, BuiltInExperts.Names());

        var output = parse.InvocationConfiguration.Output;
        output.WriteLine($"created {directory}");
        foreach (var file in files) output.WriteLine($"  {Path.GetRelativePath(directory, file)}");
        output.WriteLine(feed is null
            ? $"VisionAgent.Abstractions {version} is taken from your NuGet sources (no nuget.config written; --feed DIR names a local one)"
            : $"VisionAgent.Abstractions {version} is taken from {feed} (nuget.config)");
        output.WriteLine("next steps:");
        if (feed is not null && !IsUrl(feed) && !PluginScaffold.FeedHasSeam(feed, version))
        {
            var packHint = sourceTreeFeed is not null && string.Equals(Path.GetFullPath(feed), Path.GetFullPath(sourceTreeFeed), StringComparison.Ordinal)
                ? $"dotnet pack {ShellWords.Quote(Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(sourceTreeFeed)!)!, "src", "VisionAgent.Abstractions"))} -c Release"
                : $"put VisionAgent.Abstractions.{version}.nupkg into {ShellWords.Quote(feed)}";
            output.WriteLine($"  {packHint}      # the feed has no VisionAgent.Abstractions {version} yet");
        }
        var tests = Path.Combine(directory, "tests", PluginScaffold.ProjectName(name) + ".Tests");
        output.WriteLine($"  dotnet build {ShellWords.Quote(directory)}");
        output.WriteLine($"  dotnet test {ShellWords.Quote(tests)}");
        output.WriteLine($"  {ShellWords.SetEnvironment(PluginFolders.EnvironmentVariable, directory)}      # or list the folder under plugins: in visionagent.yaml");
        output.WriteLine("  visionagent tools");
        return 0;
    }

    private static async Task<int> ListAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        await using var cli = await CliHost.CreateAsync(parse, cancellationToken, startMcpServers: false);
        var catalog = cli.Host.External.Plugins;
        var experts = ToolsCommand.Describe(cli.Host.Registry).Where(e => e.Origin.StartsWith("plugin ", StringComparison.Ordinal)).ToList();
        var plugins = experts.Select(e =>
        {
            var manifest = e.Origin["plugin ".Length..];
            return new PluginInfo(e.Name, manifest, e.Status, e.Detail, SeamOf(catalog, manifest));
        }).ToList();
        var folders = PluginFolders.Resolve(cli.Host.Config).Select(f => new FolderInfo(
            f.Path,
            System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(f.Origin.ToString()),
            catalog.FolderProblems.FirstOrDefault(p => p.Folder == f)?.Reason)).ToList();
        var listing = new PluginListing(SeamCompatibility.HostVersion.ToString(3), folders, plugins);
        if (parse.GetValue(Json))
        {
            await cli.Output.WriteLineAsync(JsonOutput.Serialize(listing));
            return 0;
        }
        cli.Console.MarkupLine($"[bold]plugin folders[/] [grey](this host's seam: VisionAgent.Abstractions {listing.HostSeam})[/]");
        foreach (var folder in listing.Folders)
        {
            var problem = folder.Problem is null ? "" : $" [yellow]skipped: {Markup.Escape(folder.Problem)}[/]";
            cli.Console.MarkupLine($"  {Markup.Escape(folder.Path)} [grey]({folder.Origin.Replace('_', ' ')})[/]{problem}");
        }
        if (plugins.Count == 0) cli.Console.MarkupLine("[grey]no plugins found[/]");
        foreach (var plugin in plugins)
        {
            var colour = plugin.Status switch { "ready" => "green", "broken" => "red", _ => "yellow" };
            var seam = plugin.Seam is null ? "" : $", seam {plugin.Seam}";
            cli.Console.MarkupLine($"[bold]{Markup.Escape(plugin.Name)}[/] [{colour}]{plugin.Status}[/] [grey]({Markup.Escape(plugin.Manifest)}{seam})[/]");
            if (plugin.Detail is not null) cli.Console.MarkupLine($"  [grey]{Markup.Escape(plugin.Detail)}[/]");
        }
        return 0;
    }

    private static string? SeamOf(PluginCatalog catalog, string manifestPath)
    {
        var plugin = catalog.Candidates.FirstOrDefault(c => c.ManifestPath == manifestPath)?.Plugin;
        if (plugin?.Manifest.Assembly is not { } assembly) return null;
        var path = plugin.Resolve(assembly);
        try
        {
            return File.Exists(path) ? SeamCompatibility.ReadSeamReference(path)?.ToString(3) : null;
        }
        catch (Exception ex) when (ex is BadImageFormatException or IOException or UnauthorizedAccessException)
        {
            // The entry's status already says why the assembly cannot be used.
            return null;
        }
    }

    private static bool IsUrl(string feed) => Uri.TryCreate(feed, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";

    private static string AbsoluteUnlessUrl(string feed) => IsUrl(feed) ? feed : Path.GetFullPath(feed);
}
