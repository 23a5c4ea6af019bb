namespace Kvs.WebRtc.InteropTests.Support;

/// <summary>What ffmpeg reported decoding one file.</summary>
/// <param name="ExitCode">ffmpeg's exit code.</param>
/// <param name="FramesDecoded">Decoded frames (video pictures or audio frames) of all streams.</param>
/// <param name="DecodedDuration">Sum of the decoded frames' durations in the first stream.</param>
/// <param name="Errors">ffmpeg's error lines (<c>-v error</c> stderr).</param>
public sealed record FfmpegDecodeResult(int ExitCode, int FramesDecoded, TimeSpan DecodedDuration, IReadOnlyList<string> Errors)
{
    /// <summary>True when ffmpeg exited 0 and printed no error.</summary>
    public bool IsClean => ExitCode == 0 && Errors.Count == 0;

    /// <inheritdoc />
    public override string ToString() =>
        $"exit {ExitCode}, {FramesDecoded} frames ({DecodedDuration.TotalSeconds:0.###} s), {Errors.Count} errors{(Errors.Count > 0 ? ": " + string.Join(" | ", Errors.Take(5)) : string.Empty)}";
}
