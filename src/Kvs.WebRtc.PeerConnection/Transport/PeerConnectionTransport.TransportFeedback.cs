using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.PeerConnection.Rtcp;
using Kvs.WebRtc.PeerConnection.Rtp;

namespace Kvs.WebRtc.PeerConnection.Transport;

/// <summary>
/// The receive half of transport-wide congestion control: every decrypted RTP packet carrying the negotiated
/// transport-wide sequence number feeds a <see cref="TransportFeedbackGenerator"/>, whose feedback leaves as SRTCP
/// when its deadline comes.
/// </summary>
/// <remarks>
/// The generator is owned by the connection loop: fed per RTP packet on the receive path (which runs on the loop) and
/// polled by its timer, whose tick is posted to the loop. The timer comes from the connection's
/// <see cref="TimeProvider"/> and is re-armed only when the generator's deadline moves earlier (as the DTLS/SCTP timer
/// is), so the hot path rarely touches it. Feedback leaves through SRTCP, sent inline on the loop.
/// </remarks>
internal sealed partial class PeerConnectionTransport
{
    private readonly byte[] _feedbackScratch = new byte[RtcpTransportFeedbackBuilder.DefaultMaxPacketSize];
    private TransportFeedbackGenerator? _feedbackGenerator; // owned by the loop
    private ITimer? _feedbackTimer;
    private TimeSpan? _feedbackArmed;
    private int _feedbackExtensionId; // 0: off; read lock-free on the receive path

    /// <summary>
    /// Whether transport-wide feedback is sent when the remote sends the transport-wide sequence number (default true;
    /// set before the first negotiation). Off, the remote's bandwidth estimate gets no feedback from us.
    /// </summary>
    public bool TransportFeedbackEnabled { get; set; } = true;

    /// <summary>Feedback packets produced so far, and received packets recorded for feedback.</summary>
    public (long FeedbackPacketsSent, long PacketsRecorded) TransportFeedbackCounters
    {
        get
        {
            using (_loop.Enter())
            {
                return (_feedbackGenerator?.FeedbackPacketsSent ?? 0, _feedbackGenerator?.PacketsRecorded ?? 0);
            }
        }
    }

    /// <summary>
    /// Starts (or updates) feedback for packets carrying the transport-wide sequence number under local id
    /// <paramref name="extensionId"/> (0: the remote does not send it, no feedback), sent from <paramref name="senderSsrc"/>.
    /// </summary>
    public void ConfigureTransportFeedback(int extensionId, uint senderSsrc)
    {
        using (_loop.Enter())
        {
            if (!TransportFeedbackEnabled || extensionId is < 1 or > 255 || _closed)
            {
                Volatile.Write(ref _feedbackExtensionId, 0);
                return;
            }

            _feedbackGenerator ??= new TransportFeedbackGenerator(senderSsrc);
            _feedbackGenerator.SenderSsrc = senderSsrc;
            _feedbackTimer ??= _timeProvider.CreateTimer(static state => ((PeerConnectionTransport)state!).PostFeedbackTick(), this,
                Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            Volatile.Write(ref _feedbackExtensionId, extensionId);
        }
    }

    // On the loop (receive path): a decrypted RTP packet.
    private void RecordTransportSequence(ReadOnlySpan<byte> packet)
    {
        var id = Volatile.Read(ref _feedbackExtensionId);
        if (id == 0 || !RtpHeader.TryParse(packet, out var header) || !header.TryGetExtension(packet, id, out var value)
            || !TransportSequenceNumberExtension.TryRead(value, out var sequenceNumber))
        {
            return;
        }

        if (_feedbackGenerator is { } generator)
        {
            var now = Now;
            generator.OnPacketReceived(sequenceNumber, header.Ssrc, now);
            ArmFeedbackLocked(now);
        }
    }

    private void PostFeedbackTick() => _loop.Post(static transport => transport.OnFeedbackTimer(), this);

    // On the loop: the feedback timer fired.
    private void OnFeedbackTimer()
    {
        _feedbackArmed = null;
        if (_closed || _feedbackGenerator is not { } generator)
        {
            return;
        }

        var now = Now;
        while (generator.TryPollFeedback(now, _feedbackScratch, out var length))
        {
            TrySendRtcp(_feedbackScratch.AsSpan(0, length));
        }

        ArmFeedbackLocked(now);
    }

    private void ArmFeedbackLocked(TimeSpan now)
    {
        if (_closed || _feedbackTimer is null || _feedbackGenerator?.NextTimeout is not { } deadline)
        {
            return;
        }

        if (_feedbackArmed is { } armed && armed <= deadline)
        {
            return;
        }

        _feedbackArmed = deadline;
        var due = deadline - now;
        _feedbackTimer.Change(due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
    }

    private void DisposeTransportFeedback()
    {
        ITimer? timer;
        using (_loop.Enter())
        {
            Volatile.Write(ref _feedbackExtensionId, 0);
            timer = _feedbackTimer;
            _feedbackTimer = null;
        }

        timer?.Dispose();
    }
}
