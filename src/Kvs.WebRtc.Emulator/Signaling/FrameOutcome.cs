namespace Kvs.WebRtc.Emulator.Signaling;

/// <summary>What the hub did with one client frame.</summary>
internal enum FrameOutcome
{
    /// <summary>Queued to the recipient's live connection.</summary>
    Routed,

    /// <summary>Stored for the offline recipient until the channel's message TTL elapses.</summary>
    Buffered,

    /// <summary>Refused (a STATUS_RESPONSE was sent when the frame carried a correlation id).</summary>
    Rejected,
}
