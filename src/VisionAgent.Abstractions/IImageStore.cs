namespace VisionAgent.Abstractions;

/// <summary>
/// Holds every image of a session by handle. The LLM only ever sees handles; experts resolve them here
/// and register what they produce, so outputs chain into other experts.
/// </summary>
public interface IImageStore
{
    /// <summary>The folder where produced images are written.</summary>
    string OutputDirectory { get; }

    IReadOnlyList<ImageRecord> Images { get; }

    IReadOnlyList<RegionRecord> Regions { get; }

    /// <summary>Registers a user's input file (validated and identified) and returns its record.</summary>
    ImageRecord AddInput(string path);

    /// <summary>Registers an image an expert wrote under <see cref="OutputDirectory"/>.</summary>
    ImageRecord AddProduced(string path, string parent, string operation, string kind, IReadOnlyDictionary<string, string>? parameters = null);

    /// <summary>
    /// A fresh name in the output folder for an image derived from <paramref name="parent"/>, reserved as an empty
    /// file; write it with <see cref="OutputFile.Write"/>.
    /// </summary>
    string NewOutputPath(string parent, string kind, string extension = ".png");

    /// <summary>Removes reserved names that were never written (the expert failed before writing).</summary>
    void ReleaseUnusedReservations();

    /// <summary>Returns the image for a handle, or throws <see cref="UnknownHandleException"/> listing the valid ones.</summary>
    ImageRecord Get(string handle);

    bool TryGet(string handle, out ImageRecord record);

    /// <summary>Records a region of an image (a detection) and returns its reference, such as img1#det2.</summary>
    RegionRecord AddRegion(string imageHandle, string label, float score, PixelBox box, string prefix = "det");

    bool TryGetRegion(string reference, out RegionRecord region);

    /// <summary>Forgets every image and region (the files stay on disk).</summary>
    void Clear();
}
