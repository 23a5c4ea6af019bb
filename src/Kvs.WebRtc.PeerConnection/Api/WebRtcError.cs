namespace Kvs.WebRtc.PeerConnection;

/// <summary>Why a peer-connection operation failed; carried by <see cref="WebRtcException"/>.</summary>
public enum WebRtcError
{
    /// <summary>An unclassified internal error.</summary>
    InternalError,

    /// <summary>The call is not allowed in the current state (W3C <c>InvalidStateError</c>), e.g. an answer in <c>stable</c>.</summary>
    InvalidState,

    /// <summary>A session description is malformed or lacks what WebRTC needs (ICE credentials, fingerprint, setup).</summary>
    InvalidSessionDescription,

    /// <summary>A remote ICE candidate is malformed or names an unknown m= section.</summary>
    InvalidCandidate,

    /// <summary>No candidate pair worked, or consent was lost for good.</summary>
    IceFailed,

    /// <summary>The DTLS handshake failed (including an alert from the peer).</summary>
    DtlsFailed,

    /// <summary>The peer's certificate does not match the fingerprint in its session description.</summary>
    FingerprintMismatch,

    /// <summary>The SCTP association failed or was aborted.</summary>
    SctpFailed,

    /// <summary>A data channel could not be opened or used (e.g. no stream id left, message too large).</summary>
    DataChannelFailed,

    /// <summary>The peer connection is closed.</summary>
    Closed,

    /// <summary>A parameter the caller passed cannot be honoured (for example more than one send encoding, or a codec this stack cannot packetize).</summary>
    InvalidParameter,

    /// <summary>
    /// A data channel's send buffer is full: the message would take its buffered amount past
    /// <see cref="DataChannels.RTCDataChannel.MaxBufferedAmount"/> (the caller is sending faster than the network carries).
    /// Await <c>SendAsync</c> or wait for <c>BufferedAmountLow</c>, then send again.
    /// </summary>
    SendBufferFull,
}
