using Kvs.WebRtc.PeerConnection.Sdp;

namespace Kvs.WebRtc.PeerConnection.Jsep;

/// <summary>
/// What one completed offer/answer decided for an audio or video m= section: our direction, the agreed codecs (the
/// answer's list, in its order), RTP header extensions with their ids, and the SSRCs the remote announced.
/// </summary>
internal sealed record NegotiatedMedia(
    string Mid,
    string Kind,
    SdpDirection Direction,
    IReadOnlyList<NegotiatedCodec> Codecs,
    IReadOnlyList<SdpExtMap> Extensions,
    IReadOnlyList<uint> RemoteSsrcs,
    IReadOnlyDictionary<uint, uint> RemoteRtxSsrcs,
    bool RtcpReducedSize)
{
    /// <summary>True when we send on this section.</summary>
    public bool Sends => Direction is SdpDirection.SendRecv or SdpDirection.SendOnly;

    /// <summary>True when we receive on this section.</summary>
    public bool Receives => Direction is SdpDirection.SendRecv or SdpDirection.RecvOnly;

    /// <summary>The agreed codec with this payload type, or null.</summary>
    public NegotiatedCodec? FindCodec(int payloadType) => Codecs.FirstOrDefault(c => c.PayloadType == payloadType);

    /// <summary>The first agreed codec with this name (case-insensitive), optionally matching an fmtp predicate.</summary>
    public NegotiatedCodec? FindCodec(string name, Func<NegotiatedCodec, bool>? match = null) =>
        Codecs.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase) && (match?.Invoke(c) ?? true));
}
