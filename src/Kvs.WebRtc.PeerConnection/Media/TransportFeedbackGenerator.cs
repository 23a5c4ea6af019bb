using Kvs.WebRtc.PeerConnection.Rtcp;
using Kvs.WebRtc.PeerConnection.Rtp;

namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>
/// The receiver side of transport-wide congestion control (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3):
/// records the transport-wide sequence number and arrival time of every received RTP packet that carries one, and
/// turns them into <see cref="RtcpTransportFeedback"/> packets every <see cref="Interval"/> (sooner, but at most every
/// <see cref="MinInterval"/>, when a gap shows a loss), so that the remote sender's bandwidth estimator can ramp up.
/// </summary>
/// <remarks>
/// <para>Sans-IO: time is an argument, no timers; the driver calls <see cref="OnPacketReceived"/> per packet and
/// <see cref="TryPollFeedback"/> (repeatedly, until false) when <see cref="NextTimeout"/> is due. Not thread-safe.</para>
/// <para>Sequence numbers are extended to 64 bits (reordering up to ±32,767 and any number of wraps). Arrivals are
/// kept in a fixed ring of <see cref="Capacity"/> slots, so memory is bounded whatever arrives: a jump forward by a
/// whole ring or more starts a fresh window (what was not reported yet is dropped and counted), a packet older than
/// the ring is ignored and counted. A packet that arrives after its sequence number was reported as lost moves the
/// next feedback back to it, so it is reported again as received (as libwebrtc does).</para>
/// <para>Each feedback starts at the first sequence number not reported yet (earlier losses in it are "not received"),
/// holds as many packets as fit into <see cref="RtcpTransportFeedbackBuilder.DefaultMaxPacketSize"/> bytes, and
/// carries a feedback packet count that increases by one per packet (wrapping at 256). Allocates nothing after
/// construction.</para>
/// </remarks>
internal sealed class TransportFeedbackGenerator
{
    /// <summary>The default time between feedback packets while packets arrive (50 ms).</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>The default number of arrival slots.</summary>
    public const int DefaultCapacity = 2048;

    private readonly long[] _slotSequence; // extended sequence number held by the slot, -1 when none
    private readonly long[] _slotArrival;  // TimeSpan ticks
    private readonly int _mask;
    private readonly RtcpTransportFeedbackBuilder _builder = new();
    private RtpSequenceUnwrapper _unwrapper;
    private long _highest = -1;
    private long _windowStart;
    private uint _mediaSsrc;
    private byte _feedbackCount;
    private TimeSpan? _lastFeedback;
    private TimeSpan? _deadline;

    /// <summary>Creates a generator that sends feedback as <paramref name="senderSsrc"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The capacity is not a power of two from 64 to 16,384, or the interval is not positive.</exception>
    public TransportFeedbackGenerator(uint senderSsrc, TimeSpan? interval = null, int capacity = DefaultCapacity)
    {
        if (capacity is < 64 or > 16384 || (capacity & (capacity - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "a power of two from 64 to 16384");
        }

        Interval = interval ?? DefaultInterval;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Interval, TimeSpan.Zero, nameof(interval));
        MinInterval = Interval < TimeSpan.FromMilliseconds(20) ? Interval : TimeSpan.FromMilliseconds(20);
        SenderSsrc = senderSsrc;
        _slotSequence = new long[capacity];
        _slotArrival = new long[capacity];
        _slotSequence.AsSpan().Fill(-1);
        _mask = capacity - 1;
    }

    /// <summary>The SSRC our feedback is sent from.</summary>
    public uint SenderSsrc { get; set; }

    /// <summary>The time between feedback packets while packets arrive.</summary>
    public TimeSpan Interval { get; }

    /// <summary>The shortest time between feedback packets (when a loss asks for an early one): 20 ms, or <see cref="Interval"/> if shorter.</summary>
    public TimeSpan MinInterval { get; }

    /// <summary>The number of arrival slots.</summary>
    public int Capacity => _slotSequence.Length;

    /// <summary>When <see cref="TryPollFeedback"/> should be called next; null while there is nothing to report.</summary>
    public TimeSpan? NextTimeout => _deadline;

    /// <summary>Packets recorded.</summary>
    public long PacketsRecorded { get; private set; }

    /// <summary>Packets ignored: older than the ring, duplicates.</summary>
    public long PacketsIgnored { get; private set; }

    /// <summary>Packets received but never reported because a jump forward of a whole ring or more restarted the window.</summary>
    public long PacketsDropped { get; private set; }

    /// <summary>Feedback packets produced.</summary>
    public long FeedbackPacketsSent { get; private set; }

    /// <summary>
    /// Records the arrival of a packet with transport-wide sequence number <paramref name="sequenceNumber"/> from
    /// <paramref name="mediaSsrc"/> at <paramref name="arrivalTime"/> (the driver's monotonic clock; negative is taken as zero).
    /// </summary>
    public void OnPacketReceived(ushort sequenceNumber, uint mediaSsrc, TimeSpan arrivalTime)
    {
        if (arrivalTime < TimeSpan.Zero)
        {
            arrivalTime = TimeSpan.Zero;
        }

        var seq = _unwrapper.Unwrap(sequenceNumber);
        var loss = false;
        if (_highest < 0 || seq - _highest >= Capacity)
        {
            // The first packet, or a jump of a whole ring: start a fresh window at it.
            if (_highest >= 0)
            {
                PacketsDropped += CountUnreported();
            }

            _windowStart = seq;
            _highest = seq;
        }
        else if (seq > _highest)
        {
            loss = seq > _highest + 1;
            if (_windowStart <= seq - Capacity)
            {
                // Unreported packets fall out of the ring (a flood faster than we report): they are lost to the feedback.
                PacketsDropped += CountUnreported(_windowStart, seq - Capacity);
                _windowStart = seq - Capacity + 1;
            }

            _highest = seq;
        }
        else if (seq <= _highest - Capacity || _slotSequence[seq & _mask] == seq)
        {
            PacketsIgnored++;
            return;
        }
        else if (seq < _windowStart)
        {
            // Reported as lost already: report it again, received.
            _windowStart = seq;
        }

        var slot = seq & _mask;
        _slotSequence[slot] = seq;
        _slotArrival[slot] = arrivalTime.Ticks;
        _mediaSsrc = mediaSsrc;
        PacketsRecorded++;

        var regular = arrivalTime + Interval;
        if (loss)
        {
            var early = _lastFeedback is { } last && last + MinInterval > arrivalTime ? last + MinInterval : arrivalTime;
            regular = early < regular ? early : regular;
        }

        if (_deadline is not { } deadline || regular < deadline)
        {
            _deadline = regular;
        }
    }

    /// <summary>
    /// Writes the next feedback packet into <paramref name="destination"/> (at least
    /// <see cref="RtcpTransportFeedbackBuilder.DefaultMaxPacketSize"/> bytes) when <see cref="NextTimeout"/> is due at
    /// <paramref name="now"/>. Call again until it returns false: a long window takes several packets.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="destination"/> is too small.</exception>
    public bool TryPollFeedback(TimeSpan now, Span<byte> destination, out int length)
    {
        length = 0;
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, _builder.MaxPacketSize, nameof(destination));
        if (_deadline is not { } deadline || now < deadline)
        {
            return false;
        }

        if (_highest < 0 || _windowStart > _highest)
        {
            _deadline = null;
            return false;
        }

        _builder.Reset(SenderSsrc, _mediaSsrc, _feedbackCount, (ushort)_windowStart);
        // The next feedback starts right after the last packet this one holds, so losses between are reported there.
        var next = _highest + 1;
        var lastAdded = _windowStart - 1;
        for (var seq = _windowStart; seq <= _highest; seq++)
        {
            var slot = seq & _mask;
            if (_slotSequence[slot] != seq)
            {
                continue;
            }

            if (!_builder.TryAddReceivedPacket((ushort)seq, TimeSpan.FromTicks(_slotArrival[slot])))
            {
                next = lastAdded + 1;
                break;
            }

            lastAdded = seq;
        }

        if (_builder.IsEmpty)
        {
            // Nothing fitted (cannot happen: the first packet of a feedback always fits); skip the window rather than spin.
            _windowStart = _highest + 1;
            _deadline = null;
            return false;
        }

        _windowStart = next;

        length = _builder.Write(destination);
        _feedbackCount++;
        FeedbackPacketsSent++;
        _lastFeedback = now;
        _deadline = _windowStart <= _highest ? now : null;
        return true;
    }

    private long CountUnreported() => CountUnreported(_windowStart, _highest);

    // Received packets in [from, to]; at most two rings of slots are visited.
    private long CountUnreported(long from, long to)
    {
        long count = 0;
        for (var seq = from; seq <= to; seq++)
        {
            if (_slotSequence[seq & _mask] == seq)
            {
                count++;
            }
        }

        return count;
    }
}
