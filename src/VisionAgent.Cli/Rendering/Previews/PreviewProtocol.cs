namespace VisionAgent.Cli.Rendering.Previews;

/// <summary>How a terminal is shown a picture.</summary>
public enum PreviewProtocol
{
    /// <summary>No previews: not a terminal, <c>--no-preview</c>, <c>NO_COLOR</c>, or a dumb terminal.</summary>
    Off,

    /// <summary>The kitty graphics protocol (kitty, Ghostty, WezTerm with it enabled): PNG in APC escapes.</summary>
    Kitty,

    /// <summary>iTerm2 inline images (iTerm2, WezTerm, mintty, Konsole): PNG in an OSC 1337 escape.</summary>
    ITerm2,

    /// <summary>DEC sixel graphics (foot, mlterm, xterm -ti vt340, Windows Terminal 1.22+).</summary>
    Sixel,

    /// <summary>Unicode upper half blocks in 24-bit colour: two pixels per character cell, any modern terminal.</summary>
    HalfBlocks,
}

/// <summary>Picks the preview protocol from the environment the way terminals announce themselves.</summary>
public static class PreviewProtocols
{
    /// <summary>The variable that overrides detection: kitty, iterm2, sixel, blocks or off.</summary>
    public const string OverrideVariable = "VISIONAGENT_PREVIEW";

    public static PreviewProtocol Detect(Func<string, string?> environment, bool isTerminal, bool disabled)
    {
        if (disabled || !isTerminal) return PreviewProtocol.Off;
        if (!string.IsNullOrEmpty(environment("NO_COLOR"))) return PreviewProtocol.Off;
        if (environment(OverrideVariable) is { Length: > 0 } forced) return Parse(forced);
        var term = environment("TERM") ?? "";
        var program = environment("TERM_PROGRAM") ?? "";
        if (term is "dumb" or "") return PreviewProtocol.Off;
        if (environment("KITTY_WINDOW_ID") is { Length: > 0 } || term is "xterm-kitty" or "xterm-ghostty" || program is "ghostty")
            return PreviewProtocol.Kitty;
        if (program is "iTerm.app" or "WezTerm" or "mintty" || environment("LC_TERMINAL") is "iTerm2" || environment("KONSOLE_VERSION") is { Length: > 0 })
            return PreviewProtocol.ITerm2;
        if (term.Contains("sixel", StringComparison.OrdinalIgnoreCase) || term.StartsWith("foot", StringComparison.Ordinal) || term.StartsWith("mlterm", StringComparison.Ordinal))
            return PreviewProtocol.Sixel;
        return PreviewProtocol.HalfBlocks;
    }

    public static PreviewProtocol Parse(string value) => value.Trim().ToLowerInvariant() switch
    {
        "kitty" => PreviewProtocol.Kitty,
        "iterm" or "iterm2" => PreviewProtocol.ITerm2,
        "sixel" => PreviewProtocol.Sixel,
        "blocks" or "halfblocks" or "half-blocks" => PreviewProtocol.HalfBlocks,
        _ => PreviewProtocol.Off,
    };
}
