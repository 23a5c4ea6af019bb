namespace Kvs.WebRtc.PeerConnection.Sctp;

/// <summary>
/// The DATA chunks that hold a TSN and are not yet cumulatively acknowledged (RFC 9260 §6.2.1, §7.2.4; RFC 3758
/// §3.5): a ring indexed by TSN, the flight size, gap-ack and renege bookkeeping, miss indications and fast retransmit
/// marking, T3 marking, abandonment of partially reliable messages and the advanced peer ack point.
/// </summary>
/// <remarks>
/// It decides nothing about windows, timers or packets: the association asks it what to resend and tells it what was
/// sent and acknowledged. Chunks leaving it are handed back to the caller, who owns their pooling.
/// See <c>docs/architecture.md</c>, "SCTP pieces".
/// </remarks>
internal sealed class SctpOutstandingData
{
    /// <summary>Cap on DATA chunks sent and not yet cumulatively acknowledged.</summary>
    public const int MaxChunks = 32768;

    private SctpOutboundChunk?[] _ring = new SctpOutboundChunk?[1024];
    private int _start;

    /// <summary>Starts empty; the first chunk added gets <paramref name="initialTsn"/>.</summary>
    public SctpOutstandingData(uint initialTsn)
    {
        NextTsn = initialTsn;
        CumulativeTsnAck = initialTsn - 1;
        AdvancedPeerAckPoint = CumulativeTsnAck;
    }

    /// <summary>The TSN the next new chunk gets.</summary>
    public uint NextTsn { get; private set; }

    /// <summary>The highest TSN the peer acknowledged cumulatively.</summary>
    public uint CumulativeTsnAck { get; private set; }

    /// <summary>RFC 3758 §3.5: the highest TSN the peer may consider received because everything up to it was acked or abandoned.</summary>
    public uint AdvancedPeerAckPoint { get; private set; }

    /// <summary>Chunks held (acknowledged by gap blocks or not).</summary>
    public int Count { get; private set; }

    /// <summary>True when no new chunk may be added.</summary>
    public bool IsFull => Count >= MaxChunks;

    /// <summary>Bytes sent and neither acknowledged, abandoned nor waiting for retransmission.</summary>
    public long FlightSize { get; private set; }

    /// <summary>Chunks marked for retransmission.</summary>
    public int RetransmitCount { get; private set; }

    /// <summary>Chunks acknowledged by gap blocks (and not reneged).</summary>
    public int GapAckedCount { get; private set; }

    /// <summary>The chunk with <paramref name="tsn"/>, which must lie after the cumulative ack and before <see cref="NextTsn"/>.</summary>
    public SctpOutboundChunk this[uint tsn] => _ring[(_start + (int)(tsn - CumulativeTsnAck - 1)) & (_ring.Length - 1)]!;

    /// <summary>Gives <paramref name="chunk"/> the next TSN and counts it in flight.</summary>
    public void Add(SctpOutboundChunk chunk)
    {
        if (Count == _ring.Length)
        {
            var bigger = new SctpOutboundChunk?[_ring.Length * 2];
            for (var i = 0; i < Count; i++)
            {
                bigger[i] = _ring[(_start + i) & (_ring.Length - 1)];
            }

            _ring = bigger;
            _start = 0;
        }

        chunk.Tsn = NextTsn++;
        _ring[(_start + Count) & (_ring.Length - 1)] = chunk;
        Count++;
        FlightSize += chunk.Length;
    }

    /// <summary>A chunk marked for retransmission went out again: it is in flight once more.</summary>
    public void OnRetransmitted(SctpOutboundChunk chunk, TimeSpan now)
    {
        chunk.MarkedForRetransmit = false;
        if (chunk.FastRetransmit)
        {
            chunk.FastRetransmit = false;
            chunk.WasFastRetransmitted = true;
        }

        chunk.SendCount++;
        chunk.SentAt = now;
        RetransmitCount--;
        FlightSize += chunk.Length;
    }

    /// <summary>
    /// Removes the oldest chunk if the cumulative ack <paramref name="cumulativeTsnAck"/> covers it (RFC 9260 §6.2.1 D).
    /// Call until it returns false; the caller then owns the chunk.
    /// </summary>
    /// <param name="cumulativeTsnAck">The acknowledged cumulative TSN (serial number arithmetic).</param>
    /// <param name="chunk">The chunk removed.</param>
    /// <param name="newlyAckedBytes">Its length when this is its first acknowledgement (not gap-acked, not abandoned), else 0.</param>
    public bool TryRemoveAcked(uint cumulativeTsnAck, out SctpOutboundChunk chunk, out long newlyAckedBytes)
    {
        if (!SctpSerial.Lt(CumulativeTsnAck, cumulativeTsnAck) || Count == 0)
        {
            chunk = null!;
            newlyAckedBytes = 0;
            return false;
        }

        ref var slot = ref _ring[_start];
        chunk = slot!;
        slot = null;
        _start = (_start + 1) & (_ring.Length - 1);
        Count--;
        CumulativeTsnAck++;
        newlyAckedBytes = !chunk.GapAcked && !chunk.Abandoned ? chunk.Length : 0;
        if (chunk.InFlight)
        {
            FlightSize -= chunk.Length;
        }

        if (chunk.MarkedForRetransmit)
        {
            RetransmitCount--;
        }

        if (chunk.GapAcked)
        {
            GapAckedCount--;
        }

        if (SctpSerial.Lt(AdvancedPeerAckPoint, CumulativeTsnAck))
        {
            AdvancedPeerAckPoint = CumulativeTsnAck;
        }

        return true;
    }

    /// <summary>
    /// Applies the gap ack blocks of <paramref name="sack"/> (after its cumulative ack was applied): newly covered
    /// chunks leave the flight; chunks gap-acked before and no longer covered were reneged (RFC 9260 §6.2.1) and are
    /// marked for retransmission. Malformed, overlapping or unsorted blocks are tolerated.
    /// </summary>
    /// <param name="sack">The SACK.</param>
    /// <param name="highestNewlyAcked">The highest TSN newly acknowledged by a gap block (the HTNA of §7.2.4), or the cumulative ack.</param>
    /// <returns>Bytes newly acknowledged by gap blocks.</returns>
    public long ApplyGapBlocks(in SackChunk sack, out uint highestNewlyAcked)
    {
        var cum = CumulativeTsnAck;
        highestNewlyAcked = cum;
        if (sack.GapBlockCount == 0 && GapAckedCount == 0)
        {
            return 0;
        }

        long bytesAcked = 0;
        var block = 0;
        uint blockStart = 0, blockEnd = 0;
        var hasPrevious = false;
        var haveBlock = NextValidBlock(sack, ref block, ref hasPrevious, ref blockStart, ref blockEnd);
        for (var tsn = cum + 1; tsn != NextTsn; tsn++)
        {
            while (haveBlock && SctpSerial.Gt(tsn, blockEnd))
            {
                haveBlock = NextValidBlock(sack, ref block, ref hasPrevious, ref blockStart, ref blockEnd);
            }

            if (!haveBlock && GapAckedCount == 0)
            {
                break;
            }

            var covered = haveBlock && SctpSerial.Ge(tsn, blockStart);
            var chunk = this[tsn];
            if (covered && !chunk.GapAcked)
            {
                if (chunk.InFlight)
                {
                    FlightSize -= chunk.Length;
                }

                if (chunk.MarkedForRetransmit)
                {
                    chunk.MarkedForRetransmit = false;
                    chunk.FastRetransmit = false;
                    RetransmitCount--;
                }

                chunk.GapAcked = true;
                GapAckedCount++;
                if (!chunk.Abandoned)
                {
                    bytesAcked += chunk.Length;
                }

                highestNewlyAcked = tsn;
            }
            else if (!covered && chunk.GapAcked)
            {
                // Renege: the peer dropped a chunk it had gap-acked; send it again.
                chunk.GapAcked = false;
                GapAckedCount--;
                if (!chunk.Abandoned)
                {
                    chunk.MarkedForRetransmit = true;
                    RetransmitCount++;
                }
            }
        }

        return bytesAcked;
    }

    /// <summary>
    /// Counts a miss indication for every chunk in flight below <paramref name="highestNewlyAcked"/> (the HTNA rule of
    /// RFC 9260 §7.2.4); a chunk with three is marked for fast retransmit (once in its life), or abandoned when
    /// its message's partial reliability says so.
    /// </summary>
    /// <param name="highestNewlyAcked">From <see cref="ApplyGapBlocks"/>.</param>
    /// <param name="now">Current time (lifetimes of timed messages).</param>
    /// <param name="partialReliability">The peer supports FORWARD-TSN, so messages may be abandoned.</param>
    /// <param name="abandoned">Receives the messages this call abandoned.</param>
    /// <returns>Chunks newly marked for fast retransmit.</returns>
    public int MarkFastRetransmits(uint highestNewlyAcked, TimeSpan now, bool partialReliability, List<SctpOutboundMessage> abandoned)
    {
        var marked = 0;
        for (var tsn = CumulativeTsnAck + 1; SctpSerial.Lt(tsn, highestNewlyAcked); tsn++)
        {
            var chunk = this[tsn];
            if (!chunk.InFlight || chunk.WasFastRetransmitted)
            {
                continue;
            }

            if (++chunk.MissIndications < 3)
            {
                continue;
            }

            chunk.MissIndications = 0;
            if (ShouldAbandon(chunk, now, partialReliability))
            {
                AbandonInto(chunk.Message, abandoned);
                continue;
            }

            FlightSize -= chunk.Length;
            chunk.MarkedForRetransmit = true;
            chunk.FastRetransmit = true;
            RetransmitCount++;
            marked++;
        }

        return marked;
    }

    /// <summary>T3-rtx expiry (RFC 9260 §6.3.3 E3): every chunk in flight is marked for retransmission or abandoned.</summary>
    public void MarkAllForRetransmit(TimeSpan now, bool partialReliability, List<SctpOutboundMessage> abandoned)
    {
        for (var tsn = CumulativeTsnAck + 1; tsn != NextTsn; tsn++)
        {
            var chunk = this[tsn];
            if (!chunk.InFlight)
            {
                continue;
            }

            if (ShouldAbandon(chunk, now, partialReliability))
            {
                AbandonInto(chunk.Message, abandoned);
                continue;
            }

            FlightSize -= chunk.Length;
            chunk.MarkedForRetransmit = true;
            RetransmitCount++;
        }
    }

    /// <summary>RFC 3758 §3.5 A1-A3: whether <paramref name="chunk"/>'s message has run out of retransmissions or lifetime.</summary>
    public static bool ShouldAbandon(SctpOutboundChunk chunk, TimeSpan now, bool partialReliability)
    {
        var message = chunk.Message;
        return partialReliability && (message.Abandoned
            || (message.MaxRetransmits >= 0 && chunk.SendCount > message.MaxRetransmits)
            || now >= message.ExpiresAt);
    }

    /// <summary>
    /// Abandons every chunk of <paramref name="message"/> held here (they leave the flight and are never resent).
    /// Fragments not yet sent are the send queue's business.
    /// </summary>
    /// <returns>False when the message was abandoned already.</returns>
    public bool Abandon(SctpOutboundMessage message)
    {
        if (message.Abandoned)
        {
            return false;
        }

        message.Abandoned = true;
        for (var tsn = CumulativeTsnAck + 1; tsn != NextTsn; tsn++)
        {
            var chunk = this[tsn];
            if (chunk.Message != message || chunk.Abandoned)
            {
                continue;
            }

            if (chunk.InFlight)
            {
                FlightSize -= chunk.Length;
            }

            if (chunk.MarkedForRetransmit)
            {
                chunk.MarkedForRetransmit = false;
                RetransmitCount--;
            }

            chunk.Abandoned = true;
        }

        return true;
    }

    /// <summary>
    /// Moves the advanced peer ack point over abandoned chunks (RFC 3758 §3.5 C1-C3).
    /// </summary>
    /// <returns>True when it is ahead of the cumulative ack, so a FORWARD-TSN is due.</returns>
    public bool UpdateAdvancedPeerAckPoint()
    {
        if (SctpSerial.Lt(AdvancedPeerAckPoint, CumulativeTsnAck))
        {
            AdvancedPeerAckPoint = CumulativeTsnAck;
        }

        while (AdvancedPeerAckPoint + 1 != NextTsn && this[AdvancedPeerAckPoint + 1].Abandoned)
        {
            AdvancedPeerAckPoint++;
        }

        return SctpSerial.Gt(AdvancedPeerAckPoint, CumulativeTsnAck);
    }

    /// <summary>Removes every chunk (the association ended); call until false, the caller owns each chunk.</summary>
    public bool TryRemoveAny(out SctpOutboundChunk chunk)
    {
        while (Count > 0)
        {
            ref var slot = ref _ring[_start];
            var taken = slot;
            slot = null;
            _start = (_start + 1) & (_ring.Length - 1);
            Count--;
            if (taken is not null)
            {
                chunk = taken;
                return true;
            }
        }

        FlightSize = 0;
        RetransmitCount = 0;
        GapAckedCount = 0;
        chunk = null!;
        return false;
    }

    private void AbandonInto(SctpOutboundMessage message, List<SctpOutboundMessage> abandoned)
    {
        if (Abandon(message))
        {
            abandoned.Add(message);
        }
    }

    private bool NextValidBlock(in SackChunk sack, ref int index, ref bool hasPrevious, ref uint start, ref uint end)
    {
        var cum = CumulativeTsnAck;
        while (index < sack.GapBlockCount)
        {
            var (s, e) = sack.GetGapBlock(index++);
            if (s == 0 || e < s)
            {
                continue; // Malformed block: ignored.
            }

            var bs = cum + s;
            var be = cum + e;
            if (SctpSerial.Ge(be, NextTsn))
            {
                be = NextTsn - 1;
            }

            if (hasPrevious && SctpSerial.Le(bs, end))
            {
                bs = end + 1; // Overlapping or unsorted blocks: keep them ascending.
            }

            if (SctpSerial.Lt(be, bs))
            {
                continue;
            }

            hasPrevious = true;
            start = bs;
            end = be;
            return true;
        }

        return false;
    }
}
