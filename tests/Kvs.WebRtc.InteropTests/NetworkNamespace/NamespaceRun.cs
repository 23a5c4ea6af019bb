using System.Text.Json.Nodes;

namespace Kvs.WebRtc.InteropTests.NetworkNamespace;

/// <summary>What a <see cref="LossyNamespace"/> run printed: the impairment line, the program's result, the drop count.</summary>
internal sealed record NamespaceRun(IReadOnlyList<JsonObject> Lines, string Stdout, string Stderr, bool TimedOut, int? ExitCode)
{
    /// <summary><c>netem</c> or <c>nftables</c> (or <c>none</c> when neither could be set up).</summary>
    public string? Impairment => (string?)Lines.FirstOrDefault(l => l.ContainsKey("impairment"))?["impairment"];

    /// <summary>Packets the impairment dropped, read after the program exited.</summary>
    public long? Dropped => (long?)Lines.FirstOrDefault(l => l.ContainsKey("dropped"))?["dropped"];

    /// <summary>The lab's result line (the one with <c>ok</c>).</summary>
    public JsonObject? Result => Lines.FirstOrDefault(l => l.ContainsKey("ok"));

    /// <summary>Everything, for assertion messages.</summary>
    public string Describe() => $"timedOut={TimedOut} exit={ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}
