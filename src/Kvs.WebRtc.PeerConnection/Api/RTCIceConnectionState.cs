namespace Kvs.WebRtc.PeerConnection;

/// <summary>The ICE agent's state (W3C <c>RTCIceConnectionState</c>, RFC 8445).</summary>
public enum RTCIceConnectionState
{
    /// <summary>Waiting for remote candidates.</summary>
    New,

    /// <summary>Connectivity checks are running.</summary>
    Checking,

    /// <summary>A usable pair was found; checks may continue.</summary>
    Connected,

    /// <summary>Checks finished and a pair is nominated.</summary>
    Completed,

    /// <summary>Consent freshness failed for now (RFC 7675); may recover.</summary>
    Disconnected,

    /// <summary>No pair works, or consent was lost for good.</summary>
    Failed,

    /// <summary>The agent is shut down.</summary>
    Closed,
}
