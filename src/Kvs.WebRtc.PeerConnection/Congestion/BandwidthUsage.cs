namespace Kvs.WebRtc.PeerConnection.Congestion;

/// <summary>What the delay-gradient detector concludes about the path (draft-ietf-rmcat-gcc-02 §5.4).</summary>
internal enum BandwidthUsage
{
    /// <summary>Queuing delay is stable: the rate may increase.</summary>
    Normal = 0,

    /// <summary>Queuing delay shrinks (a queue drains): hold the rate.</summary>
    Underusing = 1,

    /// <summary>Queuing delay grows: decrease the rate.</summary>
    Overusing = 2,
}
