namespace Kvs.WebRtc.Emulator;

/// <summary>
/// Counters of a running <see cref="KvsEmulator"/> (a snapshot from <see cref="KvsEmulator.GetStatistics"/>). Every
/// frame or request the emulator refuses or drops is counted here, and logged, never silently lost.
/// </summary>
/// <remarks>Immutable.</remarks>
public sealed class KvsEmulatorStatistics
{
    /// <summary>HTTP requests that were not WebSocket upgrades (control plane and signaling HTTPS).</summary>
    public long RestRequests { get; init; }

    /// <summary>HTTP requests refused because their SigV4 signature was missing, wrong, expired or not yet current.</summary>
    public long RestAuthenticationFailures { get; init; }

    /// <summary>WebSocket upgrades accepted (HTTP 101).</summary>
    public long ConnectionsAccepted { get; init; }

    /// <summary>WebSocket upgrades refused (any 4xx/5xx, including signature failures and replays).</summary>
    public long ConnectionsRejected { get; init; }

    /// <summary>Complete text messages received from clients.</summary>
    public long FramesReceived { get; init; }

    /// <summary>Frames that were not a signaling frame at all (not JSON, not an object, no action or payload).</summary>
    public long MalformedFrames { get; init; }

    /// <summary>Routed SDP/ICE messages written to a recipient's socket.</summary>
    public long MessagesDelivered { get; init; }

    /// <summary>Routed messages stored for an offline recipient (each store counts once; an overwrite counts too).</summary>
    public long MessagesBuffered { get; init; }

    /// <summary>Buffered messages discarded because their channel's MessageTtlSeconds elapsed before delivery.</summary>
    public long MessagesExpired { get; init; }

    /// <summary>Buffered messages discarded because the per-recipient buffer was full, or overwritten by a newer offer/answer.</summary>
    public long MessagesDiscarded { get; init; }

    /// <summary>Messages dropped on purpose by <see cref="KvsEmulatorFaults.DropNextMessages"/>.</summary>
    public long MessagesDroppedByFault { get; init; }

    /// <summary>Client frames refused (unknown action, bad payload, missing recipient, viewer to viewer, ...).</summary>
    public long MessagesRejected { get; init; }

    /// <summary>Refused frames that carried no usable correlation id, so no STATUS_RESPONSE could be sent (logged instead).</summary>
    public long RejectionsWithoutCorrelationId { get; init; }

    /// <summary>STATUS_RESPONSE frames sent.</summary>
    public long StatusResponsesSent { get; init; }

    /// <summary>Sockets the emulator closed for a protocol violation (binary frame: 1003; oversized message: 1009).</summary>
    public long ProtocolViolationCloses { get; init; }
}
