namespace VisionAgent.Testing;

/// <summary>
/// Finds .NET type names in text meant for users (errors of the command line and of configuration files): a
/// message says "a whole number", never <c>System.Nullable`1[System.Int32]</c>.
/// </summary>
public static class TypeNameLeaks
{
    private static readonly string[] Markers =
    [
        "System.", "Microsoft.", "YamlDotNet", "VisionAgent.Core", "VisionAgent.Abstractions", "`", "Nullable", "Int32", "Int64",
        "Double", "Boolean", "String[]", "PublicKeyToken", "Culture=neutral", "Exception",
    ];

    /// <summary>
    /// The first type-name marker in <paramref name="text"/>, or null when it reads as plain words; a marker that
    /// the user's own <paramref name="input"/> holds may be an echo of it and does not count.
    /// </summary>
    public static string? Find(string text, string input = "") =>
        Markers.FirstOrDefault(m => text.Contains(m, StringComparison.Ordinal) && !input.Contains(m, StringComparison.Ordinal));
}
