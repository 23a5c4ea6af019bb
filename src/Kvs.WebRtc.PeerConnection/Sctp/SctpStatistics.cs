namespace Kvs.WebRtc.PeerConnection.Sctp;

/// <summary>Counters of one association, for diagnostics and tests.</summary>
internal sealed class SctpStatistics
{
    public long PacketsReceived { get; set; }

    public long PacketsSent { get; set; }

    /// <summary>Packets dropped: bad checksum, bad verification tag, wrong ports, malformed chunks.</summary>
    public long PacketsDropped { get; set; }

    public long DataChunksSent { get; set; }

    public long DataChunksReceived { get; set; }

    public long DuplicateDataChunks { get; set; }

    /// <summary>DATA chunks dropped: outside the TSN window or the receive buffer.</summary>
    public long DataChunksDropped { get; set; }

    public long Retransmissions { get; set; }

    public long FastRetransmits { get; set; }

    public long T3Expirations { get; set; }

    public long MessagesAbandoned { get; set; }

    public long MessagesReceived { get; set; }

    /// <summary>User messages whose every fragment has been put on the wire at least once (retransmissions not counted).</summary>
    public long MessagesSent { get; set; }

    public long SacksSent { get; set; }
}
