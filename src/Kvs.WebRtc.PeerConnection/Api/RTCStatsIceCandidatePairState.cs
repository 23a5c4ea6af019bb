namespace Kvs.WebRtc.PeerConnection;

/// <summary>The state of an ICE candidate pair (W3C <see href="https://www.w3.org/TR/webrtc-stats/#rtcstatsicecandidatepairstate-enum">RTCStatsIceCandidatePairState</see>, RFC 8445 §6.1.2.6).</summary>
public enum RTCStatsIceCandidatePairState
{
    /// <summary><c>frozen</c>: waiting for a pair of the same foundation.</summary>
    Frozen,

    /// <summary><c>waiting</c>: a check will be sent.</summary>
    Waiting,

    /// <summary><c>in-progress</c>: a check is outstanding.</summary>
    InProgress,

    /// <summary><c>failed</c>: the check failed or timed out.</summary>
    Failed,

    /// <summary><c>succeeded</c>: a check succeeded; the pair is valid.</summary>
    Succeeded,
}
