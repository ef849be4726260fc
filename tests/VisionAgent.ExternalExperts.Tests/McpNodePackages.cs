using System.Diagnostics;
using VisionAgent.Testing;

namespace VisionAgent.ExternalExperts.Tests;

/// <summary>
/// The npm packages the MCP tests run (the official TypeScript SDK and the reference server-everything), pinned in
/// <c>mcp-node/package-lock.json</c>. When they are not installed yet the first test installs them with
/// <c>npm ci</c>, so <c>dotnet test</c> works on a fresh clone; when that fails the test fails and says what to run.
/// </summary>
public static class McpNodePackages
{
    private static readonly SemaphoreSlim InstallGate = new(1, 1);
    private static bool _installed;

    public static string Folder => Path.Combine(RepositoryPaths.Root, "tests", "VisionAgent.ExternalExperts.Tests", "mcp-node");

    /// <summary>The script that drives an MCP server with the SDK's client.</summary>
    public static string DriveServerScript => Path.Combine(Folder, "drive-server.mjs");

    /// <summary>server-everything's stdio entry point.</summary>
    public static string ServerEverything => Path.Combine(Folder, "node_modules", "@modelcontextprotocol", "server-everything", "dist", "index.js");

    private static string InstallCommand => $"npm ci --prefix {Path.GetRelativePath(RepositoryPaths.Root, Folder)}";

    public static async Task EnsureInstalledAsync(CancellationToken cancellationToken)
    {
        await InstallGate.WaitAsync(cancellationToken);
        try
        {
            if (_installed || IsInstalled()) return;
            var (exitCode, output) = await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], Folder, TimeSpan.FromMinutes(5), cancellationToken);
            if (exitCode != 0 || !IsInstalled())
                throw new InvalidOperationException($"the MCP test packages are not installed and `npm ci` failed (exit {exitCode}); run from the repository root: {InstallCommand}\n{Tail(output)}");
            _installed = true;
        }
        finally
        {
            InstallGate.Release();
        }
    }

    /// <summary>Runs node with a script of this folder; the standard output is returned, a non-zero exit fails with both streams.</summary>
    public static async Task<string> RunNodeAsync(string script, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await EnsureInstalledAsync(cancellationToken);
        var (exitCode, output) = await RunAsync("node", [script, .. arguments], Folder, timeout, cancellationToken, separateStreams: true);
        if (exitCode != 0)
            throw new InvalidOperationException($"node {Path.GetFileName(script)} exited with {exitCode}:\n{Tail(output)}");
        return output;
    }

    private static bool IsInstalled() =>
        File.Exists(Path.Combine(Folder, "node_modules", "@modelcontextprotocol", "sdk", "package.json")) && File.Exists(ServerEverything);

    private static async Task<(int ExitCode, string Output)> RunAsync(
        string program, IReadOnlyList<string> arguments, string workingDirectory, TimeSpan timeout, CancellationToken cancellationToken, bool separateStreams = false)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"{program} is not installed ({ex.Message}); the MCP tests need Node.js and npm: install them, then run {InstallCommand}", ex);
        }
        using (process)
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(timeout);
            var stdout = process.StandardOutput.ReadToEndAsync(limit.Token);
            var stderr = process.StandardError.ReadToEndAsync(limit.Token);
            try
            {
                await process.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish within {timeout.TotalSeconds:0} s");
            }
            var (output, errors) = (await stdout, await stderr);
            return (process.ExitCode, separateStreams && process.ExitCode == 0 ? output : output + errors);
        }
    }

    private static string Tail(string text) => text.Length > 4000 ? text[^4000..] : text;
}
