namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>What <see cref="IceAgent.HandleDatagram"/> did with a datagram.</summary>
internal enum IceDatagramResult
{
    /// <summary>A STUN message for ICE; handled.</summary>
    Consumed,

    /// <summary>DTLS or RTP/RTCP (RFC 7983) from a validated peer address: pass it up.</summary>
    ApplicationData,

    /// <summary>Malformed, unauthenticated, unexpected or from an unknown address: dropped and counted.</summary>
    Dropped,
}
