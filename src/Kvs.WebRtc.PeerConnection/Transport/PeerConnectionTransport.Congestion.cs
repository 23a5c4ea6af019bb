using Kvs.WebRtc.PeerConnection.Congestion;

namespace Kvs.WebRtc.PeerConnection.Transport;

/// <summary>
/// The send-side bandwidth estimate of the connection: every RTP packet that leaves with a transport-wide sequence
/// number is recorded in a <see cref="SendSideBandwidthEstimator"/>, and the peer's transport-wide feedback, REMB and
/// receiver reports update it. The estimator is not thread-safe: it is owned by the connection loop, which sends the
/// packets (and orders their sequence numbers) and receives the feedback; the target is published for readers off the loop.
/// </summary>
internal sealed partial class PeerConnectionTransport
{
    private readonly SendSideBandwidthEstimator _bandwidth = new(); // owned by the loop
    private bool _bandwidthInformed; // owned by the loop: feedback or REMB arrived at least once
    private long _targetBitrate; // published (bits/s); 0 until the peer gave feedback

    /// <summary>
    /// The estimated bitrate the path to the peer carries (bits/s), from its transport-wide feedback or REMB; null until
    /// the peer sent any (a receiver without feedback gives no estimate, and then nothing should throttle the encoder).
    /// </summary>
    public long? TargetBitrate => Volatile.Read(ref _targetBitrate) is > 0 and var bps ? bps : null;

    /// <summary>Transport-wide feedback packets applied, and those that did not parse.</summary>
    public (long Applied, long Malformed) BandwidthFeedbackCounters
    {
        get
        {
            using (_loop.Enter())
            {
                return (_bandwidth.FeedbackCount, _bandwidth.MalformedFeedbackCount);
            }
        }
    }

    /// <summary>Applies one transport-wide feedback packet (RTPFB FMT 15, whole RTCP packet); true when the target changed.</summary>
    public bool OnTransportFeedback(ReadOnlySpan<byte> packet)
    {
        using (_loop.Enter())
        {
            if (!_bandwidth.OnTransportFeedback(packet, Microseconds(Now)))
            {
                return false;
            }

            _bandwidthInformed = true;
            return PublishTargetLocked();
        }
    }

    /// <summary>Applies a REMB (the receiver's own estimate, an upper bound); true when the target changed.</summary>
    public bool OnRemb(ulong bitrate)
    {
        using (_loop.Enter())
        {
            _bandwidth.OnRemb((long)Math.Min(bitrate, long.MaxValue));
            _bandwidthInformed = true;
            return PublishTargetLocked();
        }
    }

    /// <summary>Applies a report block about one of our streams (loss and round-trip time); true when the target changed.</summary>
    public bool OnReceiverReport(byte fractionLost, TimeSpan? roundTripTime)
    {
        using (_loop.Enter())
        {
            _bandwidth.OnReceiverReport(fractionLost, roundTripTime is { } rtt ? Microseconds(rtt) : null, Microseconds(Now));
            return _bandwidthInformed && PublishTargetLocked();
        }
    }

    // On the loop, for each packet that carried a transport-wide sequence number.
    private void OnPacketSentForEstimateLocked(ushort sequenceNumber, int protectedLength, TimeSpan now) =>
        _bandwidth.OnPacketSent(sequenceNumber, protectedLength, Microseconds(now));

    private bool PublishTargetLocked()
    {
        var first = Volatile.Read(ref _targetBitrate) == 0;
        if (!_bandwidth.TryTakeChange(out var bps) && !first)
        {
            return false;
        }

        Volatile.Write(ref _targetBitrate, first ? _bandwidth.TargetBitrateBps : bps);
        return true;
    }

    private static long Microseconds(TimeSpan time) => time.Ticks / (TimeSpan.TicksPerMillisecond / 1000);
}
