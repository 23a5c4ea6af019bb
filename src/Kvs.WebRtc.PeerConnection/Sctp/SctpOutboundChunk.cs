namespace Kvs.WebRtc.PeerConnection.Sctp;

/// <summary>A DATA chunk that has a TSN: a slice of an <see cref="SctpOutboundMessage"/>. Reused via a free list.</summary>
internal sealed class SctpOutboundChunk
{
    public SctpOutboundMessage Message { get; set; } = null!;

    public int Offset { get; set; }

    public int Length { get; set; }

    public byte Flags { get; set; }

    public uint Tsn { get; set; }

    public int SendCount { get; set; }

    public TimeSpan SentAt { get; set; }

    /// <summary>Acknowledged by a gap ack block (may be reneged).</summary>
    public bool GapAcked { get; set; }

    /// <summary>Queued for retransmission (not counted in the flight size).</summary>
    public bool MarkedForRetransmit { get; set; }

    /// <summary>The retransmission was triggered by fast retransmit (RFC 9260 §7.2.4).</summary>
    public bool FastRetransmit { get; set; }

    /// <summary>Was fast retransmitted once already: never again (RFC 9260 §7.2.4).</summary>
    public bool WasFastRetransmitted { get; set; }

    public int MissIndications { get; set; }

    public bool Abandoned { get; set; }

    /// <summary>Counted in the flight size.</summary>
    public bool InFlight => !GapAcked && !MarkedForRetransmit && !Abandoned;

    public void Reset()
    {
        Message = null!;
        SendCount = 0;
        GapAcked = MarkedForRetransmit = FastRetransmit = WasFastRetransmitted = Abandoned = false;
        MissIndications = 0;
    }
}
