namespace Kvs.WebRtc.PeerConnection.Turn;

/// <summary>Why a TURN operation failed.</summary>
internal enum TurnError
{
    /// <summary>No error.</summary>
    None = 0,

    /// <summary>The server rejected the credentials (401 after the authenticated retry).</summary>
    Unauthorized,

    /// <summary>438 Stale Nonce kept coming after the allowed retries.</summary>
    StaleNonce,

    /// <summary>The server answered with another error code (see the STUN error code).</summary>
    ServerError,

    /// <summary>No response within the transaction timeout.</summary>
    Timeout,

    /// <summary>A local cap (permissions, channels, requests in flight) was reached.</summary>
    CapacityReached,

    /// <summary>The server's success response was unusable (e.g. no XOR-RELAYED-ADDRESS).</summary>
    BadResponse,

    /// <summary>The allocation expired or its refresh failed.</summary>
    AllocationLost,

    /// <summary>The connection to the server failed or closed.</summary>
    TransportFailed,
}
