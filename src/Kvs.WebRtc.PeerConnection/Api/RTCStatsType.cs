namespace Kvs.WebRtc.PeerConnection;

/// <summary>The kind of a typed stats object (W3C <see href="https://www.w3.org/TR/webrtc-stats/#rtcstatstype-str*">RTCStatsType</see>; the W3C string in each member's doc).</summary>
public enum RTCStatsType
{
    /// <summary><c>codec</c>: a codec used by an RTP stream (<see cref="RTCCodecStats"/>).</summary>
    Codec,

    /// <summary><c>inbound-rtp</c>: an RTP stream we receive (<see cref="RTCInboundRtpStreamStats"/>).</summary>
    InboundRtp,

    /// <summary><c>outbound-rtp</c>: an RTP stream we send (<see cref="RTCOutboundRtpStreamStats"/>).</summary>
    OutboundRtp,

    /// <summary><c>remote-inbound-rtp</c>: the peer's view of a stream we send, from its receiver reports (<see cref="RTCRemoteInboundRtpStreamStats"/>).</summary>
    RemoteInboundRtp,

    /// <summary><c>remote-outbound-rtp</c>: the peer's view of a stream it sends us, from its sender reports (<see cref="RTCRemoteOutboundRtpStreamStats"/>).</summary>
    RemoteOutboundRtp,

    /// <summary><c>transport</c>: the ICE/DTLS transport all streams and data channels share (BUNDLE) (<see cref="RTCTransportStats"/>).</summary>
    Transport,

    /// <summary><c>candidate-pair</c>: an ICE candidate pair of the transport (<see cref="RTCIceCandidatePairStats"/>).</summary>
    CandidatePair,

    /// <summary><c>local-candidate</c>: one of our ICE candidates (<see cref="RTCIceCandidateStats"/>).</summary>
    LocalCandidate,

    /// <summary><c>remote-candidate</c>: one of the peer's ICE candidates (<see cref="RTCIceCandidateStats"/>).</summary>
    RemoteCandidate,

    /// <summary><c>data-channel</c>: a data channel (<see cref="RTCDataChannelStats"/>).</summary>
    DataChannel,

    /// <summary><c>certificate</c>: a DTLS certificate, ours or the peer's (<see cref="RTCCertificateStats"/>).</summary>
    Certificate,

    /// <summary><c>media-source</c>: a local track attached to a sender (<see cref="RTCMediaSourceStats"/>).</summary>
    MediaSource,
}
