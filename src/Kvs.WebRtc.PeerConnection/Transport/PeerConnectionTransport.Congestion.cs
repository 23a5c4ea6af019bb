using Kvs.WebRtc.PeerConnection.Congestion;

namespace Kvs.WebRtc.PeerConnection.Transport;

/// <summary>
/// The send-side bandwidth estimate of the connection: every RTP packet that leaves with a transport-wide sequence
/// number is recorded in a <see cref="SendSideBandwidthEstimator"/>, and the peer's transport-wide feedback, REMB and
/// receiver reports update it. The estimator is not thread-safe: it is only touched under <c>_srtpSendGate</c>, the
/// lock that already orders the sequence numbers (feedback arrives every 50–100 ms, so the receive path takes it rarely).
/// </summary>
internal sealed partial class PeerConnectionTransport
{
    private readonly SendSideBandwidthEstimator _bandwidth = new(); // guarded by _srtpSendGate
    private bool _bandwidthInformed; // guarded by _srtpSendGate: feedback or REMB arrived at least once
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
            lock (_srtpSendGate)
            {
                return (_bandwidth.FeedbackCount, _bandwidth.MalformedFeedbackCount);
            }
        }
    }

    /// <summary>Applies one transport-wide feedback packet (RTPFB FMT 15, whole RTCP packet); true when the target changed.</summary>
    public bool OnTransportFeedback(ReadOnlySpan<byte> packet)
    {
        lock (_srtpSendGate)
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
        lock (_srtpSendGate)
        {
            _bandwidth.OnRemb((long)Math.Min(bitrate, long.MaxValue));
            _bandwidthInformed = true;
            return PublishTargetLocked();
        }
    }

    /// <summary>Applies a report block about one of our streams (loss and round-trip time); true when the target changed.</summary>
    public bool OnReceiverReport(byte fractionLost, TimeSpan? roundTripTime)
    {
        lock (_srtpSendGate)
        {
            _bandwidth.OnReceiverReport(fractionLost, roundTripTime is { } rtt ? Microseconds(rtt) : null, Microseconds(Now));
            return _bandwidthInformed && PublishTargetLocked();
        }
    }

    // Under _srtpSendGate, for each packet that carried a transport-wide sequence number.
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
