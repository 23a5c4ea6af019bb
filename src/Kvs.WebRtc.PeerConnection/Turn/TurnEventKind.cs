namespace Kvs.WebRtc.PeerConnection.Turn;

/// <summary>What happened in a TURN client session.</summary>
internal enum TurnEventKind
{
    /// <summary>The allocation exists: <see cref="TurnClientSession.RelayedAddress"/> is set.</summary>
    AllocationSucceeded,

    /// <summary>Allocate failed for good.</summary>
    AllocationFailed,

    /// <summary>A live allocation was lost (refresh failed or timed out).</summary>
    AllocationLost,

    /// <summary>A permission was installed (first time only; refreshes are silent).</summary>
    PermissionCreated,

    /// <summary>Installing or refreshing a permission failed; the permission is gone.</summary>
    PermissionFailed,

    /// <summary>A channel was bound (first time only).</summary>
    ChannelBound,

    /// <summary>Binding or refreshing a channel failed; the channel is gone.</summary>
    ChannelBindFailed,

    /// <summary>The allocation was released (Refresh with LIFETIME 0 answered, or timed out).</summary>
    Closed,
}
