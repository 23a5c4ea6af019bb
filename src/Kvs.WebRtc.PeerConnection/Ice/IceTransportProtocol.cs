namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>The transport token of a candidate line (RFC 8839 §5.1; TCP per RFC 6544).</summary>
internal enum IceTransportProtocol
{
    /// <summary><c>udp</c>.</summary>
    Udp,

    /// <summary><c>tcp</c> (RFC 6544); parsed and preserved, not used for checks by this agent.</summary>
    Tcp,
}
