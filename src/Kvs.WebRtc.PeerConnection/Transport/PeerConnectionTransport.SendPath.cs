using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.PeerConnection.Transport;

/// <summary>
/// How media and RTCP sends enter the connection loop, which owns the SRTP send context, the header extensions and
/// their transport-wide sequence numbers, the bandwidth estimator and the pacer.
/// </summary>
/// <remarks>
/// <para>A send never waits for the loop: the frame writer, the RTCP report timer and the NACK timer call in while
/// holding locks of their own that the loop's receive path also takes (<c>RTCPeerConnection._rtcpGate</c>,
/// <c>_nackTimerGate</c>), so waiting there could deadlock. Instead (<see cref="ConnectionLoop.TryEnterNow"/>):
/// on the loop's own thread (retransmissions answering a NACK, feedback) or when the loop is idle with nothing queued,
/// the send runs inline, with no copy and no thread hop; when the loop stays busy for a short spin, the packets are
/// copied into pooled buffers and queued behind its work (<see cref="ConnectionLoop.TryPost{TState}"/>; the owner runs
/// them before it releases the loop), and the call returns at once with the packets counted as sent. The queue is the loop's own, bounded: when it is full the send is refused
/// (counted in <see cref="SendsRefused"/>, logged once at Warning), as a full socket buffer would drop a datagram.</para>
/// <para>Validation happens before either path, so a packet SRTP cannot take is refused synchronously both ways.</para>
/// </remarks>
internal sealed partial class PeerConnectionTransport
{
    private const int MaxSparePendingSends = 16;
    private const int BusySpins = 10;

    private readonly ConcurrentQueue<PendingSend> _sparePendingSends = new();
    private int _sparePendingSendCount;
    private long _sendsQueued;
    private long _sendsRefused;
    private int _sendRefusalLogged;

    private enum SendKind : byte
    {
        Rtp,
        Retransmission,
        Rtcp,
    }

    /// <summary>Sends that found the loop busy and were queued on it (a pooled copy each), since the transport was created.</summary>
    public long SendsQueued => Interlocked.Read(ref _sendsQueued);

    /// <summary>Sends refused because the loop's queue was full (the packets were not sent).</summary>
    public long SendsRefused => Interlocked.Read(ref _sendsRefused);

    /// <inheritdoc/>
    /// <remarks>Packets of a paced SSRC (video, RTX) are queued in the connection's pacer; true then means queued.</remarks>
    public bool TrySendRtp(ReadOnlySpan<byte> packet, byte payloadType, uint ssrc) =>
        SendThroughLoop(SendKind.Rtp, packet, null, null, 1, payloadType, ssrc, out _) == 1;

    /// <inheritdoc/>
    /// <remarks>Paced retransmissions go to the pacer's priority lane: ahead of queued video, never dropped once queued.</remarks>
    public bool TrySendRetransmission(ReadOnlySpan<byte> packet, byte payloadType, uint ssrc) =>
        SendThroughLoop(SendKind.Retransmission, packet, null, null, 1, payloadType, ssrc, out _) == 1;

    /// <inheritdoc/>
    /// <remarks>
    /// On a direct UDP pair with GSO, runs of equal-size protected packets leave in one socket call. Packets of a paced
    /// SSRC are queued in the connection's pacer instead and leave that way when it releases them; the count is then of
    /// packets queued.
    /// </remarks>
    public int TrySendRtpBatch(byte[][] packets, int[] lengths, int count, byte payloadType, uint ssrc, out long sentBytes)
    {
        ArgumentNullException.ThrowIfNull(packets);
        ArgumentNullException.ThrowIfNull(lengths);
        return SendThroughLoop(SendKind.Rtp, default, packets, lengths, count, payloadType, ssrc, out sentBytes);
    }

    /// <inheritdoc/>
    public bool TrySendRtcp(ReadOnlySpan<byte> packet) => SendThroughLoop(SendKind.Rtcp, packet, null, null, 1, 0, 0, out _) == 1;

    // One packet (single, when packets is null) or a batch: inline when the loop can be had without waiting, else queued.
    private int SendThroughLoop(SendKind kind, ReadOnlySpan<byte> single, byte[][]? packets, int[]? lengths, int count, byte payloadType,
        uint ssrc, out long sentBytes)
    {
        sentBytes = 0;
        if (Volatile.Read(ref _srtpOutbound) is null || _closed || _ice is null || count <= 0)
        {
            return 0;
        }

        // Busy: a short spin first (an owner usually releases within microseconds), then a pooled copy.
        var spinner = default(SpinWait);
        while (true)
        {
            if (_loop.TryEnterNow(out var scope))
            {
                using (scope)
                {
                    return SendLocked(kind, single, packets, lengths, count, payloadType, ssrc, out sentBytes);
                }
            }

            if (spinner.Count >= BusySpins)
            {
                return QueueSend(kind, single, packets, lengths, count, payloadType, ssrc, out sentBytes);
            }

            spinner.SpinOnce(sleep1Threshold: -1);
        }
    }

    // On the loop.
    private int SendLocked(SendKind kind, ReadOnlySpan<byte> single, byte[][]? packets, int[]? lengths, int count, byte payloadType, uint ssrc,
        out long sentBytes)
    {
        sentBytes = 0;
        if (kind == SendKind.Rtcp)
        {
            return SendOneLocked(single, rtcp: true, 0, 0) ? 1 : 0;
        }

        if (IsPaced(ssrc))
        {
            return EnqueuePacedLocked(packets, lengths, single, count, payloadType, ssrc, priority: kind == SendKind.Retransmission, out sentBytes);
        }

        if (packets is null)
        {
            if (!SendOneLocked(single, rtcp: false, payloadType, ssrc))
            {
                return 0;
            }

            sentBytes = single.Length;
            return 1;
        }

        return SendRtpBatchLocked(packets, lengths!, count, payloadType, ssrc, out sentBytes);
    }

    // The loop is busy: copies what SRTP can take into pooled buffers and queues it behind the loop's work.
    private int QueueSend(SendKind kind, ReadOnlySpan<byte> single, byte[][]? packets, int[]? lengths, int count, byte payloadType, uint ssrc,
        out long queuedBytes)
    {
        queuedBytes = 0;
        var pending = RentPendingSend(count);
        for (var i = 0; i < count; i++)
        {
            var source = packets is null ? single : packets[i].AsSpan(0, lengths![i]);
            if (source.Length < 8 || source.Length > DatagramBufferSize)
            {
                continue; // refused now, as the inline path would
            }

            var copy = ArrayPool<byte>.Shared.Rent(source.Length);
            source.CopyTo(copy);
            pending.Packets[pending.Count] = copy;
            pending.Lengths[pending.Count] = source.Length;
            pending.Count++;
            queuedBytes += source.Length;
        }

        if (pending.Count == 0)
        {
            ReturnPendingSend(pending);
            return 0;
        }

        pending.Kind = kind;
        pending.PayloadType = payloadType;
        pending.Ssrc = ssrc;
        pending.IsBatch = packets is not null;
        var queued = pending.Count;
        if (!_loop.TryPost(static p => p.Owner.RunPendingSend(p), pending))
        {
            ReturnPendingSend(pending);
            queuedBytes = 0;
            Interlocked.Add(ref _sendsRefused, queued);
            if (!_closed && Interlocked.Exchange(ref _sendRefusalLogged, 1) == 0)
            {
                Log.SendsRefused(_logger, _loop.Capacity);
            }

            return 0;
        }

        Interlocked.Increment(ref _sendsQueued);
        return queued;
    }

    // On the loop: a send queued while it was busy.
    private void RunPendingSend(PendingSend pending)
    {
        try
        {
            if (_closed || _srtpOutbound is null)
            {
                return;
            }

            if (pending.IsBatch)
            {
                SendLocked(pending.Kind, default, pending.Packets, pending.Lengths, pending.Count, pending.PayloadType, pending.Ssrc, out _);
            }
            else
            {
                SendLocked(pending.Kind, pending.Packets[0].AsSpan(0, pending.Lengths[0]), null, null, 1, pending.PayloadType, pending.Ssrc, out _);
            }
        }
        finally
        {
            ReturnPendingSend(pending);
        }
    }

    private PendingSend RentPendingSend(int count)
    {
        if (_sparePendingSends.TryDequeue(out var pending))
        {
            Interlocked.Decrement(ref _sparePendingSendCount);
        }
        else
        {
            pending = new PendingSend(this);
        }

        pending.EnsureCapacity(count);
        return pending;
    }

    private void ReturnPendingSend(PendingSend pending)
    {
        for (var i = 0; i < pending.Count; i++)
        {
            ArrayPool<byte>.Shared.Return(pending.Packets[i]);
            pending.Packets[i] = null!;
        }

        pending.Count = 0;
        if (Interlocked.Increment(ref _sparePendingSendCount) <= MaxSparePendingSends)
        {
            _sparePendingSends.Enqueue(pending);
        }
        else
        {
            Interlocked.Decrement(ref _sparePendingSendCount);
        }
    }

    /// <summary>Packets copied for the loop while it was busy; reused (a few spares per connection).</summary>
    private sealed class PendingSend(PeerConnectionTransport owner)
    {
        public PeerConnectionTransport Owner { get; } = owner;

        public byte[][] Packets { get; private set; } = new byte[4][];

        public int[] Lengths { get; private set; } = new int[4];

        public int Count { get; set; }

        public SendKind Kind { get; set; }

        public bool IsBatch { get; set; }

        public byte PayloadType { get; set; }

        public uint Ssrc { get; set; }

        public void EnsureCapacity(int count)
        {
            if (Packets.Length < count)
            {
                var size = Math.Max(count, Packets.Length * 2);
                Packets = new byte[size][];
                Lengths = new int[size];
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(5107, LogLevel.Warning, "The connection loop queue is full ({Capacity} items): media sends that found it busy are refused (counted in SendsRefused; not logged again)")]
        public static partial void SendsRefused(ILogger logger, int capacity);
    }
}
