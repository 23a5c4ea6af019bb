namespace Kvs.WebRtc.PeerConnection.Sdp;

/// <summary>Optional parts of an audio/video m= section built by <see cref="WebRtcSdp.CreateMediaSection"/>.</summary>
internal sealed record SdpMediaOptions
{
    /// <summary>RTP header extensions (<c>a=extmap</c>).</summary>
    public IReadOnlyList<SdpExtMap> ExtMaps { get; init; } = [];

    /// <summary><c>a=msid</c> (stream and track id); null writes none.</summary>
    public SdpMsid? Msid { get; init; }

    /// <summary>The sending SSRC; with <see cref="Cname"/> writes <c>a=ssrc:&lt;ssrc&gt; cname:&lt;cname&gt;</c> (and msid).</summary>
    public uint? Ssrc { get; init; }

    /// <summary>
    /// The RTX SSRC (RFC 4588); with <see cref="Ssrc"/> and an <c>rtx</c> format among the codecs writes
    /// <c>a=ssrc-group:FID &lt;ssrc&gt; &lt;rtx ssrc&gt;</c> and its own <c>a=ssrc</c> lines.
    /// </summary>
    public uint? RtxSsrc { get; init; }

    /// <summary>The RTCP CNAME (RFC 7022).</summary>
    public string? Cname { get; init; }

    /// <summary>Write <c>a=rtcp-rsize</c> (video). Default: true for video.</summary>
    public bool? RtcpRsize { get; init; }
}
