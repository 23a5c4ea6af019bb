namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>
/// Send statistics of one sender (one SSRC), kept across track replacements: packets, payload octets and frames
/// sent, the last RTP timestamp with the time it left (to map wall-clock time to the track's RTP clock in sender
/// reports, RFC 3550 §6.4.1), feedback counts received (NACK, PLI, FIR), and what the peer's report blocks said about
/// the stream (loss, jitter, round-trip time from LSR/DLSR), for outbound-rtp and remote-inbound-rtp stats.
/// </summary>
/// <remarks>Thread-safe: the track's writer, the receive path, the report timer and <c>GetStats</c> meet here under
/// one uncontended lock; nothing allocates.</remarks>
internal sealed class RtpSendStatistics
{
    private readonly object _gate = new();
    private readonly TimeProvider _timeProvider;
    private int _payloadType = -1;
    private int _clockRate = 90000;
    private long _packets;
    private long _bytes;
    private long _frames;
    private long _keyFrames;
    private bool _hasSent;
    private uint _lastRtpTimestamp;
    private TimeSpan _lastSendTime;
    private long _nacks;
    private long _plis;
    private long _firs;
    private RtpRemoteReceiverReport? _remote;
    private TimeSpan? _roundTripTime;
    private TimeSpan _totalRoundTripTime;
    private long _roundTripTimeMeasurements;
    private long _framesSkipped;

    /// <summary>Creates the statistics of the sender of <paramref name="ssrc"/>; <paramref name="timeProvider"/> stamps each send.</summary>
    public RtpSendStatistics(uint ssrc, TimeProvider timeProvider)
    {
        Ssrc = ssrc;
        _timeProvider = timeProvider;
    }

    /// <summary>The sender's SSRC.</summary>
    public uint Ssrc { get; }

    /// <summary>The latest round-trip time measured from the peer's report blocks, or null before the first.</summary>
    public TimeSpan? RoundTripTime
    {
        get
        {
            lock (_gate)
            {
                return _roundTripTime;
            }
        }
    }

    /// <summary>A consistent copy of the counters.</summary>
    public RtpSendSnapshot Snapshot
    {
        get
        {
            lock (_gate)
            {
                return new RtpSendSnapshot(Ssrc, _payloadType, _clockRate, _packets, _bytes, _frames, _keyFrames, _nacks, _plis, _firs, _remote,
                    _roundTripTime, _totalRoundTripTime, _roundTripTimeMeasurements, _framesSkipped);
            }
        }
    }

    /// <summary>A monotonic reading of the statistics' clock.</summary>
    public TimeSpan Now => _timeProvider.GetElapsedTime(0, _timeProvider.GetTimestamp());

    /// <summary>The negotiated payload type and its RTP clock rate (set when the track is bound).</summary>
    public void Bind(int payloadType, int clockRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(clockRate);
        lock (_gate)
        {
            _payloadType = payloadType;
            _clockRate = clockRate;
        }
    }

    /// <summary>Counts a frame sent as <paramref name="packets"/> packets of <paramref name="payloadBytes"/> payload octets, stamped <paramref name="rtpTimestamp"/>.</summary>
    public void OnFrameSent(uint rtpTimestamp, int packets, long payloadBytes, bool isKeyFrame)
    {
        if (packets <= 0)
        {
            return;
        }

        var now = Now;
        lock (_gate)
        {
            _packets += packets;
            _bytes += payloadBytes;
            _frames++;
            if (isKeyFrame)
            {
                _keyFrames++;
            }

            StampLocked(rtpTimestamp, now);
        }
    }

    /// <summary>Counts a frame the sender was given but did not send (it waits for SRTP or for a key frame): W3C <c>framesEncoded</c> counts it.</summary>
    public void OnFrameSkipped()
    {
        lock (_gate)
        {
            _framesSkipped++;
        }
    }

    /// <summary>Counts one forwarded RTP packet (a track of already-packetized RTP).</summary>
    public void OnPacketSent(uint rtpTimestamp, long payloadBytes)
    {
        var now = Now;
        lock (_gate)
        {
            _packets++;
            _bytes += payloadBytes;
            StampLocked(rtpTimestamp, now);
        }
    }

    /// <summary>
    /// The sender-info part of an SR at <paramref name="now"/> (monotonic): the RTP timestamp of that instant on the
    /// track's clock (the last timestamp sent, advanced by the time since it left) and the packet and octet counts
    /// (modulo 2^32). False before anything was sent, and when nothing was sent for longer than <paramref name="maxIdle"/>
    /// (RFC 3550 §6.4: an SR only from a source that sent since the previous two reports; otherwise it is a receiver).
    /// </summary>
    public bool TryGetSenderInfo(TimeSpan now, TimeSpan maxIdle, out uint rtpTimestamp, out uint packetCount, out uint octetCount)
    {
        lock (_gate)
        {
            if (!_hasSent || now - _lastSendTime > maxIdle)
            {
                rtpTimestamp = packetCount = octetCount = 0;
                return false;
            }

            var elapsed = now > _lastSendTime ? now - _lastSendTime : TimeSpan.Zero;
            rtpTimestamp = unchecked(_lastRtpTimestamp + (uint)RtpReceiveStatistics.ToRtpUnits(elapsed, _clockRate));
            packetCount = unchecked((uint)_packets);
            octetCount = unchecked((uint)_bytes);
            return true;
        }
    }

    /// <summary>Counts a generic NACK received for this sender (RFC 4585 §6.2.1).</summary>
    public void OnNackReceived()
    {
        lock (_gate)
        {
            _nacks++;
        }
    }

    /// <summary>Counts a PLI received for this sender (RFC 4585 §6.3.1).</summary>
    public void OnPliReceived()
    {
        lock (_gate)
        {
            _plis++;
        }
    }

    /// <summary>Counts a FIR entry received for this sender (RFC 5104 §4.3.1).</summary>
    public void OnFirReceived()
    {
        lock (_gate)
        {
            _firs++;
        }
    }

    /// <summary>Keeps what a report block of the peer said about this sender, with the round-trip time it yielded (null without LSR).</summary>
    public void OnReportBlock(byte fractionLost, long packetsLost, uint extendedHighestSequenceNumber, uint jitter, DateTimeOffset receivedAt, TimeSpan? roundTripTime)
    {
        lock (_gate)
        {
            _remote = new RtpRemoteReceiverReport(fractionLost, packetsLost, extendedHighestSequenceNumber, jitter, receivedAt, (_remote?.ReportsReceived ?? 0) + 1);
            if (roundTripTime is { } rtt)
            {
                _roundTripTime = rtt;
                _totalRoundTripTime += rtt;
                _roundTripTimeMeasurements++;
            }
        }
    }

    private void StampLocked(uint rtpTimestamp, TimeSpan now)
    {
        _hasSent = true;
        _lastRtpTimestamp = rtpTimestamp;
        _lastSendTime = now;
    }
}
