using Kvs.WebRtc.PeerConnection.Media;

namespace Kvs.WebRtc.PeerConnection.Transport;

/// <summary>
/// The send half of transport-wide congestion control: each RTP packet this connection sends gets its header
/// extensions (<see cref="RtpSendExtensions"/>, per SSRC) when it is copied for SRTP, with one transport-wide sequence
/// number counter across all SSRCs, and is recorded in <see cref="SendHistory"/>.
/// </summary>
/// <remarks>
/// The counter is owned by the connection loop and taken in the order packets are protected and sent, so sequence
/// numbers follow the order on the wire. The SSRC map is replaced whole after each negotiation and read lock-free.
/// </remarks>
internal sealed partial class PeerConnectionTransport
{
    private IReadOnlyDictionary<uint, RtpSendExtensions> _sendExtensions = new Dictionary<uint, RtpSendExtensions>();
    private ushort _transportSequence = 1; // owned by the loop

    /// <summary>(transport-wide sequence number, size, send time) of the packets sent with one, for the send-side bandwidth estimator.</summary>
    public TransportSendHistory SendHistory { get; } = new();

    /// <summary>
    /// The connection's monotonic clock: time since the transport was created. Send times in <see cref="SendHistory"/>
    /// are its ticks; compare feedback arrival with this clock.
    /// </summary>
    public TimeSpan Elapsed => Now;

    /// <summary>The transport-wide sequence number the next packet will carry.</summary>
    public ushort NextTransportSequenceNumber
    {
        get
        {
            using (_loop.Enter())
            {
                return _transportSequence;
            }
        }
    }

    /// <summary>
    /// Sets the header extensions written on the packets of each sending SSRC (after a negotiation); SSRCs not in the map
    /// are sent as given, with only the payload type and SSRC rewritten.
    /// </summary>
    public void SetSendExtensions(IReadOnlyDictionary<uint, RtpSendExtensions> bySsrc)
    {
        ArgumentNullException.ThrowIfNull(bySsrc);
        Volatile.Write(ref _sendExtensions, bySsrc);
    }

    private RtpSendExtensions? FindSendExtensions(uint ssrc) =>
        Volatile.Read(ref _sendExtensions).TryGetValue(ssrc, out var extensions) ? extensions : null;

    // On the loop: the copy of one packet into the connection's buffer, with the extensions of its SSRC.
    private int WriteRtpLocked(ReadOnlySpan<byte> packet, Span<byte> destination, byte payloadType, uint ssrc, RtpSendExtensions? extensions,
        TimeSpan now, out bool usedTransportSequence)
    {
        if (extensions is null)
        {
            usedTransportSequence = false;
            packet.CopyTo(destination);
            RtpFixedHeader.Rewrite(destination, payloadType, ssrc);
            return packet.Length;
        }

        return extensions.Write(packet, destination, payloadType, ssrc, _transportSequence, now, out usedTransportSequence);
    }

    // On the loop, once the packet was protected: the sequence number is taken, the packet recorded.
    private void OnRtpProtectedLocked(bool usedTransportSequence, int protectedLength, TimeSpan now)
    {
        if (usedTransportSequence)
        {
            SendHistory.OnPacketSent(_transportSequence, protectedLength, now.Ticks);
            OnPacketSentForEstimateLocked(_transportSequence, protectedLength, now);
            _transportSequence++;
        }
    }
}
