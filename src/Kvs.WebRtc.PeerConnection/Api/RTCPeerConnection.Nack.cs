using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.PeerConnection.Rtcp;
using Kvs.WebRtc.PeerConnection.Rtp;

namespace Kvs.WebRtc.PeerConnection;

/// <summary>
/// Loss recovery (RFC 4585 generic NACK, RFC 4588 RTX): NACKs received are answered from the local track's shared
/// history; NACKs are generated for remote tracks whose sender negotiated <c>nack</c>; received RTX is unwrapped and
/// delivered like the original packet.
/// </summary>
public sealed partial class RTCPeerConnection
{
    // Sequence numbers answered from one NACK packet at most (a 1,500-byte NACK can name ~6,000): bounds the CPU a hostile NACK costs.
    private const int MaxResendsPerNack = 1024;

    // Sequence numbers in one generated NACK packet (12 + 4 per item bytes; a spread-out list needs one item each).
    private const int MaxNackedPerPacket = 64;

    private readonly object _nackTimerGate = new();
    private readonly byte[] _rtxScratch = new byte[2048]; // receive path only (serialized by the transport)
    private RtxRoutes _rtxRoutes = RtxRoutes.Empty;
    private ITimer? _nackTimer;
    private TimeSpan _nackTimerDue = TimeSpan.MaxValue;
    private long _rtxPaddingReceived;

    /// <summary>Received RTX packets that carried no original packet (bandwidth-probe padding), dropped.</summary>
    internal long RtxPaddingReceived => Interlocked.Read(ref _rtxPaddingReceived);

    private TimeSpan NackNow => _timeProvider.GetElapsedTime(0);

    private double? RetransmissionShare => _nackOptions.Enabled ? _nackOptions.MaxRetransmissionShare : null;

    /// <summary>
    /// A round-trip time was measured (e.g. from receiver reports): NACK retries follow it, and the histories of the
    /// tracks this connection sends keep 3 × RTT when that is longer than their minimum.
    /// </summary>
    internal void ApplyRoundTripTime(TimeSpan roundTripTime)
    {
        foreach (var transceiver in GetTransceivers())
        {
            transceiver.Receiver.Nack?.SetRoundTripTime(roundTripTime);
            if (transceiver.Sender.Track is { } track)
            {
                track.History?.ObserveRoundTripTime(roundTripTime, track.HistoryNow);
            }
        }
    }

    // A fresh RTX SSRC for a video transceiver when loss recovery is on (distinct from the media SSRC).
    private uint? NewRtxSsrcLocked(MediaStreamTrackKind kind, uint sendSsrc)
    {
        if (kind != MediaStreamTrackKind.Video || !_nackOptions.Enabled)
        {
            return null;
        }

        while (true)
        {
            var ssrc = NewSsrc();
            if (ssrc != sendSsrc)
            {
                return ssrc;
            }
        }
    }

    // After each negotiation: RTX routes, and a NACK generator for every receiver whose sender negotiated nack.
    private void UpdateLossRecovery(IReadOnlyList<RTCRtpTransceiver> transceivers)
    {
        Volatile.Write(ref _rtxRoutes, RtxRoutes.Build(transceivers));
        if (!_nackOptions.Enabled)
        {
            return;
        }

        var options = new NackGeneratorOptions { MaxRetries = _nackOptions.MaxRetries, MaxAge = _nackOptions.MaxAge };
        foreach (var transceiver in transceivers)
        {
            if (transceiver.Receiver.Nack is null && !transceiver.Model.Stopped && transceiver.Model.Negotiated is { Receives: true } negotiated
                && negotiated.Codecs.Any(c => c.HasFeedback("nack")))
            {
                transceiver.Receiver.Nack = new NackGenerator(options);
            }
        }
    }

    // Sender side: a generic NACK (RTPFB FMT 1) for one of our SSRCs: resend what the history has, within the budget.
    private void OnGenericNack(ReadOnlySpan<byte> packet, MediaRoutes routes)
    {
        if (!_nackOptions.Enabled || !RtcpGenericNack.TryParse(packet, out var nack) || routes.FindSender(nack.MediaSsrc)?.Sender.NackResponder is not { } responder)
        {
            return;
        }

        responder.OnNackReceived();
        var handled = 0;
        foreach (var sequence in nack.GetLostSequenceNumbers())
        {
            if (++handled > MaxResendsPerNack)
            {
                break;
            }

            var result = responder.Resend(sequence);
            if (result is NackResendResult.OverBudget or NackResendResult.Failed)
            {
                break;
            }
        }
    }

    // Receive side: an RTP packet that matched no media route may be RTX; if so unwrap and deliver it. True when consumed.
    private bool TryDeliverRtx(ReadOnlySpan<byte> packet, in RtpHeader header, MediaRoutes routes)
    {
        if (!Volatile.Read(ref _rtxRoutes).TryResolve(header.Ssrc, header.PayloadType, out var primarySsrc, out var apt))
        {
            return false;
        }

        if (!RtxPacket.TryUnwrap(packet, _rtxScratch, (byte)apt, primarySsrc, out var written, out _))
        {
            Interlocked.Increment(ref _rtxPaddingReceived);
            return true;
        }

        var original = _rtxScratch.AsSpan(0, written);
        if (!RtpHeader.TryParse(original, out var restored) || !routes.TryRoute(primarySsrc, apt, out var receiver, out var codec))
        {
            Interlocked.Increment(ref _rtpUnroutable);
            return true;
        }

        receiver.Receiver.OnRetransmissionReceived();
        receiver.Receiver.Track.Deliver(original, restored.HeaderLength, restored.PayloadLength, restored.PayloadType, restored.SequenceNumber,
            restored.Timestamp, restored.Ssrc, restored.Marker, codec);
        OnRtpDelivered(receiver, restored.SequenceNumber);
        return true;
    }

    // Receive side, after a packet of a remote track was delivered: NACK bookkeeping.
    private void OnRtpDelivered(RTCRtpTransceiver transceiver, ushort sequenceNumber)
    {
        if (transceiver.Receiver.Nack is not { } generator)
        {
            return;
        }

        var now = NackNow;
        generator.OnPacket(sequenceNumber, now);
        if (generator.NextTimeout is not { } due)
        {
            return;
        }

        if (due <= now)
        {
            PollNack(transceiver, generator, now);
            if (generator.NextTimeout is { } next)
            {
                ArmNackTimer(next, now);
            }
        }
        else
        {
            ArmNackTimer(due, now);
        }
    }

    private void PollNack(RTCRtpTransceiver transceiver, NackGenerator generator, TimeSpan now)
    {
        Span<ushort> lost = stackalloc ushort[MaxNackedPerPacket];
        Span<byte> packet = stackalloc byte[RtcpFeedback.CommonLength + (MaxNackedPerPacket * 4)];
        for (var round = 0; round < 4; round++)
        {
            var count = generator.Poll(now, lost, out var keyFrameNeeded);
            if (keyFrameNeeded)
            {
                RequestRemoteKeyFrame(transceiver);
            }

            if (count > 0 && transceiver.Receiver.RemoteSsrc is { } mediaSsrc)
            {
                var length = RtcpGenericNack.Write(packet, _rtcpSsrc, mediaSsrc, lost[..count]);
                _transport.TrySendRtcp(packet[..length]);
            }

            if (count < lost.Length)
            {
                return;
            }
        }
    }

    private void ArmNackTimer(TimeSpan due, TimeSpan now)
    {
        lock (_nackTimerGate)
        {
            if (_closed || _nackTimerDue <= due)
            {
                return;
            }

            _nackTimer ??= _timeProvider.CreateTimer(static state => ((RTCPeerConnection)state!).OnNackTimer(), this, Timeout.InfiniteTimeSpan,
                Timeout.InfiniteTimeSpan);
            _nackTimerDue = due;
            _nackTimer.Change(due > now ? due - now : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnNackTimer()
    {
        lock (_nackTimerGate)
        {
            _nackTimerDue = TimeSpan.MaxValue;
        }

        if (_closed)
        {
            return;
        }

        var now = NackNow;
        TimeSpan? next = null;
        foreach (var transceiver in GetTransceivers())
        {
            if (transceiver.Receiver.Nack is not { } generator)
            {
                continue;
            }

            if (generator.NextTimeout is { } due && due <= now)
            {
                PollNack(transceiver, generator, now);
            }

            if (generator.NextTimeout is { } after && (next is not { } n || after < n))
            {
                next = after;
            }
        }

        if (next is { } when)
        {
            ArmNackTimer(when, now);
        }
    }

    private void CloseNack()
    {
        lock (_nackTimerGate)
        {
            _nackTimer?.Dispose();
            _nackTimer = null;
            _nackTimerDue = TimeSpan.MinValue; // never armed again
        }
    }
}
