namespace Kvs.WebRtc.InteropTests.Support;

/// <summary>What a <see cref="ChromiumMediaPeer"/> offers. Audio is sent from the fake microphone.</summary>
public sealed record ChromiumOfferOptions
{
    /// <summary>The audio transceiver's direction (none: no audio m-line).</summary>
    public ChromiumMediaDirection Audio { get; init; }

    /// <summary>The video transceiver's direction (none: no video m-line).</summary>
    public ChromiumMediaDirection Video { get; init; }

    /// <summary>Also create a data channel (label <c>kvs</c>).</summary>
    public bool DataChannel { get; init; }

    /// <summary>What to send when <see cref="Video"/> sends.</summary>
    public ChromiumVideoSource VideoSource { get; init; }

    /// <summary>
    /// Video codec to list first (<c>setCodecPreferences</c>): <c>VP8</c>, <c>VP9</c>, <c>H264</c> (Constrained Baseline
    /// 42e01f, packetization-mode 1), or null for Chromium's order.
    /// </summary>
    public string? VideoCodec { get; init; }

    /// <summary>The width the fake camera is asked for (getUserMedia constraint), default 320.</summary>
    public int VideoWidth { get; init; } = 320;

    /// <summary>The height the fake camera is asked for (getUserMedia constraint), default 240.</summary>
    public int VideoHeight { get; init; } = 240;

    /// <summary>
    /// The video send encoding's <c>maxBitrate</c> in bit/s, or null for libwebrtc's default (which it derives from the
    /// resolution: about 2.5 Mbit/s at 1280x720).
    /// </summary>
    public int? MaxVideoBitrate { get; init; }

    /// <summary>Longest wait for ICE gathering to complete before the SDP is returned anyway.</summary>
    public TimeSpan GatheringTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
