namespace Kvs.WebRtc.PeerConnection.Sctp;

/// <summary>
/// The congestion control of RFC 9260 §7.2: slow start and congestion avoidance with partial bytes acked, one
/// window reduction per fast recovery, and a collapse to one MTU on T3-rtx expiry.
/// </summary>
/// <remarks>See <c>docs/architecture.md</c>, "SCTP pieces".</remarks>
internal sealed class SctpRenoCongestionControl : ISctpCongestionControl
{
    private readonly int _mtu;
    private long _partialBytesAcked;
    private uint _fastRecoveryExit;

    /// <summary>Creates the controller with the initial window of RFC 9260 §7.2.1.</summary>
    /// <param name="mtu">Path MTU in bytes (the packet size the association builds).</param>
    /// <param name="initialThreshold">ssthresh until the peer's receive window is known.</param>
    public SctpRenoCongestionControl(int mtu, long initialThreshold)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(mtu, 1);
        _mtu = mtu;
        CongestionWindow = Math.Min(4 * mtu, Math.Max(2 * mtu, 4380));
        SlowStartThreshold = initialThreshold;
    }

    /// <inheritdoc />
    public long CongestionWindow { get; private set; }

    /// <inheritdoc />
    public long SlowStartThreshold { get; private set; }

    /// <inheritdoc />
    public bool InFastRecovery { get; private set; }

    /// <inheritdoc />
    public void OnPeerReceiveWindow(long peerReceiveWindow) => SlowStartThreshold = peerReceiveWindow;

    /// <inheritdoc />
    public void OnSack(uint cumulativeTsnAck, bool cumulativeAdvanced, long bytesAcknowledged, long flightSizeBefore, bool dataWaiting)
    {
        if (InFastRecovery && SctpSerial.Ge(cumulativeTsnAck, _fastRecoveryExit))
        {
            InFastRecovery = false;
        }

        if (!cumulativeAdvanced || InFastRecovery)
        {
            return; // §7.2.1 / §7.2.2: the window grows only when the cumulative ack advances outside fast recovery.
        }

        // The window grows only while it was actually used (§7.2.1 and §7.2.2).
        var fullyUsed = flightSizeBefore + _mtu >= CongestionWindow || dataWaiting;
        if (CongestionWindow <= SlowStartThreshold)
        {
            if (fullyUsed)
            {
                CongestionWindow += Math.Min(bytesAcknowledged, _mtu);
            }

            return;
        }

        _partialBytesAcked += bytesAcknowledged;
        if (_partialBytesAcked >= CongestionWindow && fullyUsed)
        {
            _partialBytesAcked -= CongestionWindow;
            CongestionWindow += _mtu;
        }
    }

    /// <inheritdoc />
    public void OnFastRetransmit(uint highestTsnSent)
    {
        if (InFastRecovery)
        {
            return; // §7.2.4: at most one reduction per window of data.
        }

        SlowStartThreshold = Math.Max(CongestionWindow / 2, 4L * _mtu);
        CongestionWindow = SlowStartThreshold;
        _partialBytesAcked = 0;
        InFastRecovery = true;
        _fastRecoveryExit = highestTsnSent;
    }

    /// <inheritdoc />
    public void OnRetransmissionTimeout()
    {
        SlowStartThreshold = Math.Max(CongestionWindow / 2, 4L * _mtu);
        CongestionWindow = _mtu;
        _partialBytesAcked = 0;
        InFastRecovery = false;
    }
}
