namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>
/// What a connection sent with each transport-wide sequence number (draft-holmer-rmcat-transport-wide-cc-extensions-01):
/// the packet's size and send time, kept in a fixed ring of the last <see cref="Capacity"/> packets so that a send-side
/// bandwidth estimator can match TWCC feedback (<c>RtcpTransportFeedback</c>) with the packets it reports.
/// </summary>
/// <remarks>
/// <para>Units: <c>size</c> is the bytes of the SRTP packet as it leaves (RTP header, extensions, payload, SRTP auth
/// tag; without UDP/IP headers). <c>sendTimeTicks</c> is <see cref="TimeSpan.Ticks"/> on the connection's monotonic
/// clock (the transport's <c>Elapsed</c>, time since the transport was created).</para>
/// <para>Memory is fixed at construction (16 bytes per slot; 64 KiB at the default 4,096 slots, which hold ~4 s at
/// 1,000 packets/s, well beyond a feedback interval plus a round trip). A lookup of a sequence number that is older
/// than the last <see cref="Capacity"/> sent, or was never sent, fails. Sequence numbers wrap at 65,536; a slot
/// remembers the exact 16-bit number it holds, and since the ring is smaller than the sequence space, a slot is
/// always overwritten before its number comes round again.</para>
/// <para>Thread-safe (one short lock per call): the transport records under its send lock, the estimator looks up
/// from the RTCP receive path. Allocates nothing after construction.</para>
/// </remarks>
internal sealed class TransportSendHistory
{
    /// <summary>The default number of slots.</summary>
    public const int DefaultCapacity = 4096;

    private readonly object _gate = new();
    private readonly long[] _sendTicks;
    private readonly int[] _sizes;
    private readonly int[] _sequenceNumbers; // -1: empty
    private readonly int _mask;
    private long _recorded;

    /// <summary>Creates a history of <paramref name="capacity"/> slots.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The capacity is not a power of two from 16 to 32,768.</exception>
    public TransportSendHistory(int capacity = DefaultCapacity)
    {
        if (capacity is < 16 or > 32768 || (capacity & (capacity - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "a power of two from 16 to 32768");
        }

        _sendTicks = new long[capacity];
        _sizes = new int[capacity];
        _sequenceNumbers = new int[capacity];
        _sequenceNumbers.AsSpan().Fill(-1);
        _mask = capacity - 1;
    }

    /// <summary>The number of slots.</summary>
    public int Capacity => _sizes.Length;

    /// <summary>Packets recorded since creation.</summary>
    public long RecordedCount
    {
        get
        {
            lock (_gate)
            {
                return _recorded;
            }
        }
    }

    /// <summary>Records that the packet with transport-wide sequence number <paramref name="sequenceNumber"/> left.</summary>
    /// <param name="sequenceNumber">Its transport-wide sequence number.</param>
    /// <param name="size">Its size in bytes as sent (SRTP packet, no UDP/IP headers).</param>
    /// <param name="sendTimeTicks">When it left, <see cref="TimeSpan.Ticks"/> on the connection's monotonic clock.</param>
    public void OnPacketSent(ushort sequenceNumber, int size, long sendTimeTicks)
    {
        var slot = sequenceNumber & _mask;
        lock (_gate)
        {
            _sequenceNumbers[slot] = sequenceNumber;
            _sizes[slot] = size;
            _sendTicks[slot] = sendTimeTicks;
            _recorded++;
        }
    }

    /// <summary>Looks up a sent packet; false when it is not among the last <see cref="Capacity"/> recorded (or was never sent).</summary>
    public bool TryGet(ushort sequenceNumber, out int size, out long sendTimeTicks)
    {
        var slot = sequenceNumber & _mask;
        lock (_gate)
        {
            if (_sequenceNumbers[slot] == sequenceNumber)
            {
                size = _sizes[slot];
                sendTimeTicks = _sendTicks[slot];
                return true;
            }
        }

        size = 0;
        sendTimeTicks = 0;
        return false;
    }
}
