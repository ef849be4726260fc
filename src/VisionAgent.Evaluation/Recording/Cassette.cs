namespace VisionAgent.Evaluation.Recording;

/// <summary>
/// Everything one task's run exchanged with the LLM and the experts, in order, so the run can be replayed
/// without them. Stored as YAML (multi-line texts as block scalars) so cassettes diff well in a repository.
/// </summary>
public sealed class Cassette
{
    public const int CurrentFormat = 1;

    public int Format { get; set; } = CurrentFormat;
    public string Task { get; set; } = "";
    public string Provider { get; set; } = "";
    public string Model { get; set; } = "";
    public List<CassetteTurn> Turns { get; set; } = [];
    public List<LlmExchange> LlmCalls { get; set; } = [];
    public List<ToolExchange> ToolCalls { get; set; } = [];
    public List<LlmExchange> JudgeCalls { get; set; } = [];
}

public sealed class CassetteTurn
{
    public string Ask { get; set; } = "";
    public string Status { get; set; } = "";
    public string? Answer { get; set; }
}

/// <summary>One chat request (its messages, rendered as text) and the reply.</summary>
public sealed class LlmExchange
{
    public int Turn { get; set; }
    public int Step { get; set; }
    public List<CassetteMessage> Request { get; set; } = [];
    public string? Response { get; set; }
    public List<CassetteToolCall>? ResponseToolCalls { get; set; }
    public int PromptTokens { get; set; }
    public int CompletionTokens { get; set; }
    public long Ms { get; set; }
}

public sealed class CassetteMessage
{
    public string Role { get; set; } = "";
    public string Content { get; set; } = "";
}

/// <summary>A native tool call the LLM asked for (tools mode).</summary>
public sealed class CassetteToolCall
{
    public string? Id { get; set; }
    public string? Plugin { get; set; }
    public string Function { get; set; } = "";
    public Dictionary<string, string> Arguments { get; set; } = [];
}

/// <summary>One expert call: what the loop asked, what came back, and checksums of the images it produced.</summary>
public sealed class ToolExchange
{
    public int Turn { get; set; }
    public int Call { get; set; }
    public string Tool { get; set; } = "";
    public Dictionary<string, string> Arguments { get; set; } = [];
    public string? Positional { get; set; }
    public string ResolvedTool { get; set; } = "";
    public Dictionary<string, string> MappedArguments { get; set; } = [];
    public string Observation { get; set; } = "";
    public bool Failed { get; set; }

    /// <summary>What went wrong, for a failed call (cassettes recorded before it was kept replay their observation).</summary>
    public string? Problem { get; set; }

    public long Ms { get; set; }
    public List<CassetteImage> Images { get; set; } = [];
}

public sealed class CassetteImage
{
    public string Handle { get; set; } = "";
    public string Kind { get; set; } = "";
    public string Parent { get; set; } = "";
    public string Operation { get; set; } = "";
    public int Width { get; set; }
    public int Height { get; set; }
    public string Format { get; set; } = "";
    public string Sha256 { get; set; } = "";

    /// <summary>The share of pixels inside the mask (see <c>MaskFiles.LoadMask</c>), so a frozen replay can check it.</summary>
    public double? Coverage { get; set; }

    public Dictionary<string, string> Parameters { get; set; } = [];
}

/// <summary>Which turn of the task is running, shared by the recorders and players of one task.</summary>
public sealed class CassetteCursor
{
    public int Turn { get; private set; }
    public int LlmStep { get; set; }
    public int ToolCall { get; set; }

    public void StartTurn(int turn)
    {
        Turn = turn;
        LlmStep = 0;
        ToolCall = 0;
    }
}
