namespace Kvs.WebRtc.PeerConnection.Dtls;

/// <summary>Lifecycle of a <see cref="DtlsConnection"/> (mirrors W3C RTCDtlsTransportState).</summary>
internal enum DtlsState
{
    /// <summary>Created; the client has not called Start, or the server has not seen a ClientHello.</summary>
    New,

    /// <summary>Handshake in progress.</summary>
    Connecting,

    /// <summary>Handshake complete; application data flows.</summary>
    Connected,

    /// <summary>Closed by close_notify (either side).</summary>
    Closed,

    /// <summary>Failed: fatal alert, timeout, or fingerprint mismatch (see <see cref="DtlsConnection.Failure"/>).</summary>
    Failed,
}
