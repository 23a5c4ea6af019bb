using Kvs.WebRtc.PeerConnection.Sdp;

namespace Kvs.WebRtc.PeerConnection.Jsep;

/// <summary>
/// What the <see cref="JsepNegotiator"/> knows of one RTP transceiver (W3C <c>RTCRtpTransceiver</c>): its kind, mid,
/// wanted direction, codecs, sending SSRC and msid, and what the last completed offer/answer made of it.
/// </summary>
/// <remarks>Not thread-safe: the peer connection touches it under its own lock only.</remarks>
internal sealed class JsepTransceiver
{
    /// <summary>Creates a transceiver of <paramref name="kind"/> (<c>audio</c> or <c>video</c>).</summary>
    public JsepTransceiver(string kind, SdpDirection direction, IReadOnlyList<SdpCodec> codecs, uint sendSsrc, string trackId, IReadOnlyList<string> streamIds)
    {
        if (kind is not ("audio" or "video"))
        {
            throw new ArgumentException("The kind must be audio or video.", nameof(kind));
        }

        Kind = kind;
        Direction = direction;
        Codecs = codecs;
        SendSsrc = sendSsrc;
        TrackId = trackId;
        StreamIds = streamIds;
    }

    /// <summary><c>audio</c> or <c>video</c>.</summary>
    public string Kind { get; }

    /// <summary>The media id once the transceiver is associated with an m= section (JSEP §3.4.1), else null.</summary>
    public string? Mid { get; set; }

    /// <summary>The direction the application wants (W3C <c>direction</c>).</summary>
    public SdpDirection Direction { get; set; }

    /// <summary>The direction of the last completed negotiation, from our side (W3C <c>currentDirection</c>); null before.</summary>
    public SdpDirection? CurrentDirection { get; set; }

    /// <summary>The direction the remote description announced for this section, from the remote's side.</summary>
    public SdpDirection? RemoteDirection { get; set; }

    /// <summary>Stopped transceivers are offered and answered with port 0 (W3C <c>stop()</c>).</summary>
    public bool Stopped { get; set; }

    /// <summary>Created by <c>AddTrack</c> (JSEP §5.10: such a transceiver may be associated with an offered section of its kind).</summary>
    public bool CreatedByAddTrack { get; init; }

    /// <summary>The codecs we offer or accept, in preference order, with the payload types we offer them with.</summary>
    public IReadOnlyList<SdpCodec> Codecs { get; set; }

    /// <summary>
    /// The RTP header extensions (<c>a=extmap</c>) we offer with our ids, and accept in answers (those the offer lists,
    /// with the offerer's ids). Default none.
    /// </summary>
    public IReadOnlyList<SdpExtMap> HeaderExtensions { get; set; } = [];

    /// <summary>The SSRC we send with.</summary>
    public uint SendSsrc { get; }

    /// <summary>The SSRC our retransmissions (RFC 4588 RTX) use, announced with <c>a=ssrc-group:FID</c>; null offers no RTX.</summary>
    public uint? RtxSsrc { get; init; }

    /// <summary>The msid track id.</summary>
    public string TrackId { get; }

    /// <summary>The msid stream ids (W3C <c>streams</c>).</summary>
    public IReadOnlyList<string> StreamIds { get; set; }

    /// <summary>Whether we currently announce a track to send (a sender with a track or a send direction).</summary>
    public bool Sending => Direction is SdpDirection.SendRecv or SdpDirection.SendOnly;

    /// <summary>The outcome of the last completed negotiation, or null (never negotiated, or rejected).</summary>
    public NegotiatedMedia? Negotiated { get; set; }

    /// <inheritdoc/>
    public override string ToString() => $"{Kind} mid={Mid ?? "-"} {Direction}{(Stopped ? " stopped" : string.Empty)}";
}
