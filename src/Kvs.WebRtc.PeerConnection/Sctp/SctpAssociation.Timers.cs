using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Sctp;

/// <summary>Timers (T1-init, T2-shutdown, T3-rtx, delayed SACK, RE-CONFIG, heartbeat) and the RTO estimator.</summary>
internal sealed partial class SctpAssociation
{
    private const int HeartbeatInfoLength = 16;

    private TimeSpan _rto;
    private TimeSpan _srtt;
    private TimeSpan _rttvar;
    private bool _hasRttSample;
    private int _errorCount;
    private TimeSpan? _t1Deadline;
    private TimeSpan? _t2Deadline;
    private TimeSpan? _t3Deadline;
    private TimeSpan? _heartbeatDeadline;
    private bool _heartbeatOutstanding;

    /// <summary>Current retransmission timeout (RFC 9260 §6.3.1).</summary>
    public TimeSpan Rto => _rto;

    /// <summary>Smoothed round-trip time; zero before the first sample.</summary>
    public TimeSpan SmoothedRtt => _srtt;

    /// <summary>The earliest deadline at which <see cref="HandleTimeout"/> must be called; null when no timer runs.</summary>
    public TimeSpan? NextTimeout
    {
        get
        {
            if (_terminated)
            {
                return null;
            }

            TimeSpan? next = null;
            Earliest(ref next, _t1Deadline);
            Earliest(ref next, _t2Deadline);
            Earliest(ref next, _t3Deadline);
            Earliest(ref next, _delayedAckDeadline);
            Earliest(ref next, _streamReset.NextTimeout);
            Earliest(ref next, _heartbeatDeadline);
            return next;
        }
    }

    private static void Earliest(ref TimeSpan? current, TimeSpan? candidate)
    {
        if (candidate is { } c && (current is null || c < current.Value))
        {
            current = c;
        }
    }

    /// <summary>Runs every timer due at <paramref name="now"/>.</summary>
    public void HandleTimeout(TimeSpan now)
    {
        _now = now;
        if (_terminated)
        {
            return;
        }

        if (_t1Deadline <= now)
        {
            OnInitTimeout();
        }

        if (!_terminated && _t2Deadline <= now)
        {
            OnShutdownTimeout();
        }

        if (!_terminated && _t3Deadline <= now)
        {
            OnRetransmissionTimeout();
        }

        if (!_terminated && _delayedAckDeadline <= now)
        {
            _delayedAckDeadline = null;
            _sackNeeded = true;
        }

        if (!_terminated)
        {
            OnReconfigTimeout(now);
        }

        if (!_terminated && _heartbeatDeadline <= now)
        {
            OnHeartbeatTimeout();
        }
    }

    private void OnInitTimeout()
    {
        if (++_initRetransmits > _options.MaxInitRetransmits)
        {
            Terminate("handshake timed out", aborted: true);
            return;
        }

        _rto = Min(_rto * 2, _options.BackoffLimit);
        if (_state == SctpAssociationState.CookieWait)
        {
            SendInit();
        }
        else if (_state == SctpAssociationState.CookieEchoed)
        {
            SendCookieEcho();
        }
        else
        {
            _t1Deadline = null;
            return;
        }

        _t1Deadline = _now + _rto;
    }

    private void OnShutdownTimeout()
    {
        if (++_errorCount > _options.MaxAssociationRetransmits)
        {
            Terminate("shutdown timed out", aborted: true);
            return;
        }

        _rto = Min(_rto * 2, _options.BackoffLimit);
        if (_state == SctpAssociationState.ShutdownSent)
        {
            SendShutdown();
        }
        else if (_state == SctpAssociationState.ShutdownAckSent)
        {
            SendSimpleChunk(SctpChunkType.ShutdownAck, 0);
        }
        else
        {
            _t2Deadline = null;
            return;
        }

        _t2Deadline = _now + _rto;
    }

    /// <summary>RTO calculation of RFC 9260 §6.3.1 (alpha 1/8, beta 1/4, clock granularity 1 ms).</summary>
    private void UpdateRto(TimeSpan sample)
    {
        if (sample < TimeSpan.Zero)
        {
            return;
        }

        if (!_hasRttSample)
        {
            _srtt = sample;
            _rttvar = sample / 2;
            _hasRttSample = true;
        }
        else
        {
            var delta = _srtt - sample;
            _rttvar = (_rttvar * 0.75) + (delta.Duration() * 0.25);
            _srtt = (_srtt * 0.875) + (sample * 0.125);
        }

        var rto = _srtt + Max(TimeSpan.FromMilliseconds(1), _rttvar * 4);
        _rto = rto < _options.RtoMin ? _options.RtoMin : Min(rto, _options.RtoMax);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private void ScheduleHeartbeat()
    {
        if (_options.HeartbeatInterval == Timeout.InfiniteTimeSpan || _state != SctpAssociationState.Established)
        {
            _heartbeatDeadline = null;
            return;
        }

        // RFC 9260 §8.3: HB.interval plus the RTO of the path.
        _heartbeatDeadline = _now + _options.HeartbeatInterval + _rto;
    }

    private void OnHeartbeatTimeout()
    {
        _heartbeatDeadline = null;
        if (_state != SctpAssociationState.Established)
        {
            return;
        }

        if (_heartbeatOutstanding && ++_errorCount > _options.MaxAssociationRetransmits)
        {
            Terminate("peer unreachable (heartbeat)", aborted: true);
            return;
        }

        var writer = new SctpPacketWriter(_scratch, _options.LocalPort, _remotePort, _peerTag);
        Span<byte> info = stackalloc byte[HeartbeatInfoLength];
        BinaryPrimitives.WriteInt64BigEndian(info, _now.Ticks);
        BinaryPrimitives.WriteUInt64BigEndian(info[8..], _heartbeatNonce);
        HeartbeatChunk.Write(ref writer, SctpChunkType.Heartbeat, info);
        EnqueueControl(ref writer);
        _heartbeatOutstanding = true;
        ScheduleHeartbeat();
    }

    private void HandleHeartbeat(ReadOnlySpan<byte> value)
    {
        if (!IsPeerKnown)
        {
            return;
        }

        if (!HeartbeatChunk.TryParse(value, out var heartbeat) || heartbeat.Info.Length > 512)
        {
            DropPacket("malformed HEARTBEAT");
            return;
        }

        // RFC 9260 §8.3: echo the Heartbeat Information parameter unchanged.
        var writer = new SctpPacketWriter(_scratch, _options.LocalPort, _remotePort, _peerTag);
        HeartbeatChunk.Write(ref writer, SctpChunkType.HeartbeatAck, heartbeat.Info);
        EnqueueControl(ref writer);
    }

    private void HandleHeartbeatAck(ReadOnlySpan<byte> value)
    {
        if (!HeartbeatChunk.TryParse(value, out var heartbeat) || heartbeat.Info.Length != HeartbeatInfoLength
            || BinaryPrimitives.ReadUInt64BigEndian(heartbeat.Info[8..]) != _heartbeatNonce)
        {
            DropPacket("unexpected HEARTBEAT-ACK");
            return;
        }

        var sentAt = new TimeSpan(BinaryPrimitives.ReadInt64BigEndian(heartbeat.Info));
        if (sentAt <= _now)
        {
            UpdateRto(_now - sentAt);
        }

        _heartbeatOutstanding = false;
        _errorCount = 0;
    }
}
