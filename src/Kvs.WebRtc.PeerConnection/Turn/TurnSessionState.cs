namespace Kvs.WebRtc.PeerConnection.Turn;

/// <summary>The life cycle of a TURN client session.</summary>
internal enum TurnSessionState
{
    /// <summary>Created; Allocate not sent.</summary>
    Idle,

    /// <summary>Allocate in flight (including the 401 retry).</summary>
    Allocating,

    /// <summary>The allocation exists and is being refreshed.</summary>
    Allocated,

    /// <summary>Refresh with LIFETIME 0 in flight.</summary>
    Closing,

    /// <summary>Released.</summary>
    Closed,

    /// <summary>Allocate failed or the allocation was lost.</summary>
    Failed,
}
