namespace VisionAgent.Abstractions;

/// <summary>
/// Makes a mask of an image's main subject (white = subject) for experts that need one and were given none,
/// such as the editor's background replacement. The host registers it as a service when a segmenter is installed.
/// </summary>
public interface IMaskProvider
{
    /// <summary>Segments the salient object of <paramref name="imageHandle"/> and returns the mask image it registered.</summary>
    Task<ImageRecord> GetSalientMaskAsync(string imageHandle, CancellationToken cancellationToken);
}
