namespace Kvs.WebRtc.PeerConnection.Sdp;

/// <summary>
/// An RTP payload format offered in an audio/video m= section: <c>a=rtpmap</c>, optional <c>a=fmtp</c> and
/// <c>a=rtcp-fb</c> lines (each feedback as <c>type[ parameter]</c>, e.g. <c>nack pli</c>).
/// </summary>
internal sealed record SdpCodec(int PayloadType, string Name, int ClockRate, int? Channels = null, string? FormatParameters = null, IReadOnlyList<string>? Feedback = null)
{
    /// <summary>Opus, PT 111, <c>minptime=10;useinbandfec=1</c>, transport-cc (as Chromium offers it).</summary>
    public static SdpCodec Opus(int payloadType = 111) =>
        new(payloadType, "opus", 48000, 2, "minptime=10;useinbandfec=1", ["transport-cc"]);

    /// <summary>H.264 constrained baseline 3.1, packetization-mode 1 (the profile KVS masters send).</summary>
    public static SdpCodec H264(int payloadType = 125) =>
        new(payloadType, "H264", 90000, null, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
            ["goog-remb", "transport-cc", "ccm fir", "nack", "nack pli"]);

    /// <summary>VP8.</summary>
    public static SdpCodec Vp8(int payloadType = 96) =>
        new(payloadType, "VP8", 90000, null, null, ["goog-remb", "transport-cc", "ccm fir", "nack", "nack pli"]);

    /// <summary>PCMU (static PT 0).</summary>
    public static SdpCodec Pcmu() => new(0, "PCMU", 8000);

    /// <summary>PCMA (static PT 8).</summary>
    public static SdpCodec Pcma() => new(8, "PCMA", 8000);

    /// <summary>The rtpmap of this codec.</summary>
    public SdpRtpMap ToRtpMap() => new(PayloadType, Name, ClockRate, Channels);
}
