namespace Kvs.WebRtc.PeerConnection.Sctp;

/// <summary>Outcome of <see cref="SctpAssociation.Send"/>.</summary>
internal enum SctpSendStatus
{
    /// <summary>Queued for transmission.</summary>
    Queued,

    /// <summary>The association is closed, closing or failed.</summary>
    InvalidState,

    /// <summary>The message is empty (SCTP cannot carry an empty user message; RFC 8831 §6.6 uses PPIDs 56/57).</summary>
    EmptyMessage,

    /// <summary>The message exceeds the peer's maximum message size (RFC 8841 §6).</summary>
    MessageTooLarge,

    /// <summary>The stream id is not below the negotiated number of outbound streams, or the stream is being reset.</summary>
    InvalidStream,

    /// <summary>Queuing would exceed <see cref="SctpAssociationOptions.MaxBufferedAmount"/>.</summary>
    BufferFull,
}
