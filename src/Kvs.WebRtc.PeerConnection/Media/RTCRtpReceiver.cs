namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>Receives one remote track (W3C <see href="https://www.w3.org/TR/webrtc/#rtcrtpreceiver-interface">RTCRtpReceiver</see>).</summary>
public sealed class RTCRtpReceiver
{
    private long _retransmittedPacketsReceived;

    internal RTCRtpReceiver(RemoteMediaTrack track)
    {
        Track = track;
        track.DecodeBroken = OnDecodeBroken;
        track.RepairHorizon = OnRepairHorizon;
    }

    /// <summary>The remote track; it ends when the connection closes or the transceiver stops.</summary>
    public RemoteMediaTrack Track { get; }

    /// <summary>
    /// The DTLS transport its packets arrive on (W3C <c>transport</c>): the connection's BUNDLE transport once a
    /// description that includes this receiver's section was applied, null before.
    /// </summary>
    public RTCDtlsTransport? Transport { get; internal set; }

    /// <summary>The SSRC the remote sends with, once known (from its description or the first packet).</summary>
    public uint? RemoteSsrc { get; internal set; }

    /// <summary>Reception statistics of the SSRC received last (replaced when the SSRC changes), set by the receive path.</summary>
    internal RtpReceiveStatistics? Statistics { get; set; }

    /// <summary>Generic NACK packets sent for this receiver's stream (W3C inbound-rtp <c>nackCount</c>).</summary>
    public long NackCount => Nack?.NacksSent ?? 0;

    /// <summary>RTX packets received and delivered as the packets they repair (W3C inbound-rtp <c>retransmittedPacketsReceived</c>).</summary>
    public long RetransmittedPacketsReceived => Interlocked.Read(ref _retransmittedPacketsReceived);

    /// <summary>
    /// The application's preferred jitter-buffer delay (W3C <see href="https://www.w3.org/TR/webrtc/#dom-rtcrtpreceiver-jitterbuffertarget">jitterBufferTarget</see>):
    /// null (the default) lets the buffer stay as low as the network allows; a value of 0–4000 ms holds frames at least that
    /// long after their expected arrival (more latency, fewer freezes). Takes effect at once, also while media flows; frames
    /// that cannot be completed are still given up (they never stall the stream).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative or over 4000 ms (the W3C RangeError).</exception>
    public TimeSpan? JitterBufferTarget
    {
        get => Track.JitterBufferTarget;
        set => Track.JitterBufferTarget = value;
    }

    /// <summary>The NACK generator when the sender negotiated <c>nack</c> and loss recovery is on, else null.</summary>
    internal NackGenerator? Nack { get; set; }

    // Video lost its decodability until the next key frame: stop asking for the packets still missing (they would spend the
    // sender's retransmission budget on frames that are dropped anyway; the key frame's own losses are asked for as they come).
    private void OnDecodeBroken() => Nack?.DiscardMissing();

    private void OnRepairHorizon(ushort sequenceNumber) => Nack?.DiscardMissingBefore(sequenceNumber);

    internal void OnRetransmissionReceived() => Interlocked.Increment(ref _retransmittedPacketsReceived);
}
