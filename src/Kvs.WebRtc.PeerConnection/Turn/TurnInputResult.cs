namespace Kvs.WebRtc.PeerConnection.Turn;

/// <summary>What <see cref="TurnClientSession.HandleInput"/> made of a message from the server.</summary>
internal enum TurnInputResult
{
    /// <summary>A control message (response) was consumed; poll transmits and events.</summary>
    Handled,

    /// <summary>Data from a peer (Data indication or ChannelData): see the out parameters.</summary>
    PeerData,

    /// <summary>Malformed, unexpected, unauthenticated or unknown: dropped and counted.</summary>
    Dropped,
}
