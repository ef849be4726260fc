namespace VisionAgent.Cli.Completion;

/// <summary>
/// The shell scripts <c>visionagent completion SHELL</c> prints: each asks the program for candidates through the
/// <c>[suggest:POSITION]</c> directive with the line typed so far, so completion needs no tool beside the program.
/// </summary>
public static class CompletionScripts
{
    public static IReadOnlyList<string> Shells { get; } = ["bash", "zsh", "pwsh"];

    public static string For(string shell) => shell switch
    {
        "bash" => Bash,
        "zsh" => Zsh,
        "pwsh" => PowerShell,
        _ => throw new ArgumentOutOfRangeException(nameof(shell), shell, "no completion script for this shell"),
    };

    private const string Bash = """
        # Tab completion for visionagent in bash. Enable it for this shell with
        #   source <(visionagent completion bash)
        # or for every shell by adding that line to ~/.bashrc. Completions come from visionagent itself (its [suggest]
        # directive): commands, options, option values, tool names and experts; file names where nothing else fits.
        _visionagent_complete() {
            local current="${COMP_WORDS[COMP_CWORD]}"
            local line="${COMP_LINE:0:COMP_POINT}"
            local candidates candidate
            candidates="$("${COMP_WORDS[0]}" "[suggest:${#line}]" "$line" 2>/dev/null)" || return 0
            COMPREPLY=()
            while IFS= read -r candidate; do
                if [[ -n "$candidate" && "$candidate" == "$current"* ]]; then
                    COMPREPLY+=("$candidate")
                fi
            done <<< "$candidates"
        }
        complete -o default -o bashdefault -F _visionagent_complete visionagent
        """;

    private const string Zsh = """
        # Tab completion for visionagent in zsh. Enable it for this shell (after compinit) with
        #   source <(visionagent completion zsh)
        # or for every shell by adding that line to ~/.zshrc. Completions come from visionagent itself (its [suggest]
        # directive): commands, options, option values, tool names and experts; file names where nothing else fits.
        _visionagent() {
            local line="${(j: :)words[1,CURRENT]}"
            local -a candidates
            candidates=("${(@f)$("${words[1]}" "[suggest:${#line}]" "$line" 2>/dev/null)}")
            candidates=(${candidates:#})
            if (( ${#candidates} )); then
                compadd -- "${candidates[@]}"
            else
                _files
            fi
        }
        compdef _visionagent visionagent
        """;

    private const string PowerShell = """
        # Tab completion for visionagent in PowerShell. Enable it for this session with
        #   visionagent completion pwsh | Out-String | Invoke-Expression
        # or for every session by adding that line to $PROFILE. Completions come from visionagent itself (its [suggest]
        # directive): commands, options, option values, tool names and experts.
        Register-ArgumentCompleter -Native -CommandName visionagent -ScriptBlock {
            param($wordToComplete, $commandAst, $cursorPosition)
            $line = $commandAst.Extent.Text
            $position = $cursorPosition - $commandAst.Extent.StartOffset
            # The command's extent ends at its last word; a cursor after a trailing space lies beyond it.
            if ($line.Length -lt $position) { $line = $line.PadRight($position) }
            $program = $commandAst.CommandElements[0].Extent.Text
            # The program offers every candidate that contains the word; keep those that start with it.
            & $program "[suggest:$position]" $line 2>$null | Where-Object { $_.StartsWith($wordToComplete) } | ForEach-Object {
                [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
            }
        }
        """;
}
