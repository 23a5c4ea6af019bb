using Kvs.WebRtc.PeerConnection.Rtp;

namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>
/// Answers generic NACKs (RFC 4585 §6.2.1) for one track on one connection: each named packet is copied from the
/// track's shared <see cref="RtpPacketHistory"/> and resent, as RTX (RFC 4588: own payload type, own SSRC, own
/// sequence numbers per connection, the original sequence number first in the payload) when RTX was negotiated,
/// else as the original packet (same SSRC and sequence number). A <see cref="RetransmissionBudget"/> caps what is
/// resent at a share of what this connection sent of the stream.
/// </summary>
/// <remarks>
/// Thread-safe: NACKs arrive on the receive path, media is counted on the track's writer; one short lock. The
/// time base is the track's clock (the history's), read through the track's <see cref="TimeProvider"/>. Nothing is allocated per
/// packet: the copy and the RTX packet are built in two buffers of the responder.
/// </remarks>
internal sealed class NackResponder
{
    private const int BufferSize = 1500 + 64;

    private readonly object _gate = new();
    private readonly RtpPacketHistory _history;
    private readonly RetransmissionBudget _keyFrameBudget;
    private readonly IRtpPacketSink _sink;
    private readonly TimeProvider _clock;
    private readonly RetransmissionBudget _budget;
    private readonly byte[] _original = new byte[BufferSize];
    private readonly byte[] _rtx = new byte[BufferSize + RtxPacket.OsnLength];
    private ushort _rtxSequence = (ushort)Random.Shared.Next(ushort.MaxValue + 1);
    private long _nacksReceived;
    private long _packetsResent;
    private long _bytesResent;
    private long _overBudget;
    private long _notFound;

    /// <summary>Creates a responder; RTX is used when both <paramref name="rtxPayloadType"/> and <paramref name="rtxSsrc"/> are given.</summary>
    public NackResponder(RtpPacketHistory history, IRtpPacketSink sink, TimeProvider clock, byte payloadType, uint ssrc, byte? rtxPayloadType, uint? rtxSsrc,
        double maxRetransmissionShare, double minimumRetransmissionBytesPerSecond = 0)
    {
        _history = history;
        _sink = sink;
        _clock = clock;
        PayloadType = payloadType;
        Ssrc = ssrc;
        RtxPayloadType = rtxSsrc is null ? null : rtxPayloadType;
        RtxSsrc = rtxPayloadType is null ? null : rtxSsrc;
        _budget = new RetransmissionBudget(maxRetransmissionShare, minimumRetransmissionBytesPerSecond);
        _keyFrameBudget = new RetransmissionBudget(maxRetransmissionShare, minimumRetransmissionBytesPerSecond);
    }

    /// <summary>The media payload type.</summary>
    public byte PayloadType { get; }

    /// <summary>The media SSRC.</summary>
    public uint Ssrc { get; }

    /// <summary>The RTX payload type, or null for plain resends.</summary>
    public byte? RtxPayloadType { get; }

    /// <summary>The RTX SSRC, or null for plain resends.</summary>
    public uint? RtxSsrc { get; }

    /// <summary>Generic NACK packets received for this sender (W3C outbound-rtp <c>nackCount</c>).</summary>
    public long NacksReceived => Interlocked.Read(ref _nacksReceived);

    /// <summary>Packets resent (W3C <c>retransmittedPacketsSent</c>).</summary>
    public long RetransmittedPacketsSent => Interlocked.Read(ref _packetsResent);

    /// <summary>Payload bytes resent, RTX's OSN excluded (W3C <c>retransmittedBytesSent</c>).</summary>
    public long RetransmittedBytesSent => Interlocked.Read(ref _bytesResent);

    /// <summary>Requested packets not resent because the budget was spent.</summary>
    public long RetransmissionsOverBudget => Interlocked.Read(ref _overBudget);

    /// <summary>Requested packets that were no longer (or never) in the history.</summary>
    public long RetransmissionsNotFound => Interlocked.Read(ref _notFound);

    private TimeSpan Now => _clock.GetElapsedTime(0);

    /// <summary>The binding sent <paramref name="bytes"/> of media (RTP packet bytes, before SRTP): adds budget.</summary>
    public void OnMediaSent(long bytes)
    {
        var now = Now;
        lock (_gate)
        {
            _budget.OnMediaSent(bytes, now);
            _keyFrameBudget.OnMediaSent(bytes, now);
        }
    }

    /// <summary>Counts one NACK packet received (call once per packet, then <see cref="Resend"/> per sequence number).</summary>
    public void OnNackReceived() => Interlocked.Increment(ref _nacksReceived);

    /// <summary>Resends the packet with <paramref name="sequenceNumber"/> if the history has it and the budget allows.</summary>
    public NackResendResult Resend(ushort sequenceNumber)
    {
        var now = Now;
        lock (_gate)
        {
            var length = _history.TryCopy(sequenceNumber, now, _original, out var isKeyFrame);
            if (length <= 0 || !RtpHeader.TryParse(_original.AsSpan(0, length), out var header))
            {
                _notFound++;
                return NackResendResult.NotFound;
            }

            var wireLength = length + (RtxSsrc is null ? 0 : RtxPacket.OsnLength);
            // A key frame's packets draw on a budget of their own first: under heavy loss, delta resends must not starve
            // the key frame a receiver waits for. Worst case: twice the share.
            if (!(isKeyFrame && _keyFrameBudget.TryTake(wireLength, now)) && !_budget.TryTake(wireLength, now))
            {
                _overBudget++;
                return NackResendResult.OverBudget;
            }

            bool sent;
            if (RtxPayloadType is { } rtxPt && RtxSsrc is { } rtxSsrc)
            {
                sent = RtxPacket.TryWrap(_original.AsSpan(0, length), _rtx, rtxPt, _rtxSequence, rtxSsrc, out var written)
                    && _sink.TrySendRetransmission(_rtx.AsSpan(0, written), rtxPt, rtxSsrc);
                if (sent)
                {
                    _rtxSequence++;
                }
            }
            else
            {
                sent = _sink.TrySendRetransmission(_original.AsSpan(0, length), PayloadType, Ssrc);
            }

            if (!sent)
            {
                return NackResendResult.Failed;
            }

            Interlocked.Increment(ref _packetsResent);
            Interlocked.Add(ref _bytesResent, header.PayloadLength);
            return NackResendResult.Sent;
        }
    }
}
