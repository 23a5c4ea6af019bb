namespace Kvs.WebRtc.InteropTests.Support;

/// <summary>What a <see cref="ChromiumMediaPeer"/> sends back when it answers (default: receive only).</summary>
public sealed record ChromiumAnswerOptions
{
    /// <summary>Send the fake microphone on the offered audio m-line (it must allow Chromium to send).</summary>
    public bool SendAudio { get; init; }

    /// <summary>Send video on the offered video m-line (it must allow Chromium to send).</summary>
    public bool SendVideo { get; init; }

    /// <summary>What to send when <see cref="SendVideo"/> is set.</summary>
    public ChromiumVideoSource VideoSource { get; init; }

    /// <summary>Video codec to prefer in the answer (<c>VP8</c>, <c>VP9</c>, <c>H264</c>), or null.</summary>
    public string? VideoCodec { get; init; }

    /// <summary>Longest wait for ICE gathering to complete before the SDP is returned anyway.</summary>
    public TimeSpan GatheringTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
