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
/// The generator lives under its own small lock (<c>_feedbackGate</c>), taken per RTP packet on the receive path (inside
/// <c>_srtpReceiveGate</c>) and by its timer, never under the DTLS/SCTP lock: the receive path must not wait for
/// SCTP work. Its timer comes from the connection's <see cref="TimeProvider"/> and is re-armed only when the
/// generator's deadline moves earlier (as the DTLS/SCTP timer is), so the hot path rarely touches it. Lock order:
/// <c>_srtpReceiveGate</c> → <c>_feedbackGate</c> → <c>_srtpSendGate</c>.
/// </remarks>
internal sealed partial class PeerConnectionTransport
{
    private readonly object _feedbackGate = new();
    private readonly byte[] _feedbackScratch = new byte[RtcpTransportFeedbackBuilder.DefaultMaxPacketSize];
    private TransportFeedbackGenerator? _feedbackGenerator; // guarded by _feedbackGate
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
            lock (_feedbackGate)
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
        lock (_feedbackGate)
        {
            if (!TransportFeedbackEnabled || extensionId is < 1 or > 255 || _closed)
            {
                Volatile.Write(ref _feedbackExtensionId, 0);
                return;
            }

            _feedbackGenerator ??= new TransportFeedbackGenerator(senderSsrc);
            _feedbackGenerator.SenderSsrc = senderSsrc;
            _feedbackTimer ??= _timeProvider.CreateTimer(_ => OnFeedbackTimer(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            Volatile.Write(ref _feedbackExtensionId, extensionId);
        }
    }

    // Receive path (under _srtpReceiveGate): a decrypted RTP packet.
    private void RecordTransportSequence(ReadOnlySpan<byte> packet)
    {
        var id = Volatile.Read(ref _feedbackExtensionId);
        if (id == 0 || !RtpHeader.TryParse(packet, out var header) || !header.TryGetExtension(packet, id, out var value)
            || !TransportSequenceNumberExtension.TryRead(value, out var sequenceNumber))
        {
            return;
        }

        var now = Now;
        lock (_feedbackGate)
        {
            if (_feedbackGenerator is { } generator)
            {
                generator.OnPacketReceived(sequenceNumber, header.Ssrc, now);
                ArmFeedbackLocked(now);
            }
        }
    }

    private void OnFeedbackTimer()
    {
        lock (_feedbackGate)
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
        lock (_feedbackGate)
        {
            Volatile.Write(ref _feedbackExtensionId, 0);
            timer = _feedbackTimer;
            _feedbackTimer = null;
        }

        timer?.Dispose();
    }
}
