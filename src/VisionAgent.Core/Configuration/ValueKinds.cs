using System.Globalization;

namespace VisionAgent.Core.Configuration;

/// <summary>
/// What a value of a .NET type looks like, in the words a user reads in an error ("a whole number", "true or
/// false"): the command line and the configuration file name what they expected from the declared type, never by
/// the type's own name.
/// </summary>
public static class ValueKinds
{
    /// <summary>A phrase for one value of <paramref name="type"/>: "a whole number", "a number", "one of: a, b".</summary>
    public static string Describe(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsEnum) return "one of: " + string.Join(", ", EnumNames(type));
        if (IsWholeNumber(type)) return IsUnsigned(type) ? "a whole number, 0 or more" : "a whole number";
        if (type == typeof(double) || type == typeof(float) || type == typeof(decimal) || type == typeof(Half)) return "a number";
        if (type == typeof(bool)) return "true or false";
        if (type == typeof(string) || type == typeof(char)) return "a value";
        if (type == typeof(TimeSpan)) return "a duration such as 00:05:00 (hours:minutes:seconds)";
        if (type == typeof(DateTime) || type == typeof(DateTimeOffset)) return "a date and time such as 2026-12-31T23:59:00";
        if (type == typeof(Uri)) return "a URL";
        if (type == typeof(FileInfo)) return "a file path";
        if (type == typeof(DirectoryInfo)) return "a folder path";
        if (type == typeof(FileSystemInfo)) return "a file or folder path";
        if (DictionaryValueType(type) is not null) return "a section of name: value entries";
        if (ElementType(type) is { } element) return element == typeof(string) ? "a list" : $"a list, each {Describe(element)}";
        return type.IsClass ? "a section" : "a value";
    }

    /// <summary>The type of one item of a list or array type, or null when <paramref name="type"/> is not one.</summary>
    public static Type? ElementType(Type type)
    {
        if (type == typeof(string)) return null;
        if (type.IsArray) return type.GetElementType();
        if (!type.IsGenericType) return null;
        var definition = type.GetGenericTypeDefinition();
        return definition == typeof(List<>) || definition == typeof(IList<>) || definition == typeof(IReadOnlyList<>)
            || definition == typeof(IEnumerable<>) || definition == typeof(ICollection<>) || definition == typeof(IReadOnlyCollection<>)
            ? type.GetGenericArguments()[0]
            : null;
    }

    /// <summary>The value type of a string-keyed dictionary type, or null when <paramref name="type"/> is not one.</summary>
    public static Type? DictionaryValueType(Type type) =>
        type.IsGenericType
        && (type.GetGenericTypeDefinition() == typeof(Dictionary<,>) || type.GetGenericTypeDefinition() == typeof(IDictionary<,>) || type.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>))
            ? type.GetGenericArguments()[1]
            : null;

    /// <summary>True for the types whose values are written as one word (numbers, switches, text, paths), not as a section or a list.</summary>
    public static bool IsScalar(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
            || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(Uri) || typeof(FileSystemInfo).IsAssignableFrom(type);
    }

    /// <summary>
    /// Whether <paramref name="text"/> reads as a value of a number or switch type the way the command line reads it
    /// (invariant culture); other types are not checked here and count as readable.
    /// </summary>
    public static bool IsReadable(string text, Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsEnum) return Enum.TryParse(type, text, ignoreCase: true, out _);
        if (IsWholeNumber(type))
        {
            return IsUnsigned(type)
                ? ulong.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var u) && Fits(u, type)
                : long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) && Fits(l, type);
        }
        if (type == typeof(double) || type == typeof(float) || type == typeof(decimal) || type == typeof(Half))
            return double.TryParse(text, NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out _);
        if (type == typeof(bool)) return bool.TryParse(text, out _);
        return true;
    }

    private static IEnumerable<string> EnumNames(Type type) => Enum.GetNames(type).Select(n => n.ToLowerInvariant());

    private static bool IsWholeNumber(Type type) =>
        type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(sbyte)
        || type == typeof(uint) || type == typeof(ulong) || type == typeof(ushort) || type == typeof(byte);

    private static bool IsUnsigned(Type type) => type == typeof(uint) || type == typeof(ulong) || type == typeof(ushort) || type == typeof(byte);

    private static bool Fits(long value, Type type) =>
        type == typeof(int) ? value is >= int.MinValue and <= int.MaxValue
        : type == typeof(short) ? value is >= short.MinValue and <= short.MaxValue
        : type == typeof(sbyte) ? value is >= sbyte.MinValue and <= sbyte.MaxValue
        : true;

    private static bool Fits(ulong value, Type type) =>
        type == typeof(uint) ? value <= uint.MaxValue
        : type == typeof(ushort) ? value <= ushort.MaxValue
        : type == typeof(byte) ? value <= byte.MaxValue
        : true;
}
