using Kvs.WebRtc.PeerConnection.Jsep;
using Kvs.WebRtc.PeerConnection.Rtp;

namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>
/// The RTP header extensions one connection writes on the packets of one sending SSRC, with the ids negotiated for its
/// m= section: the transport-wide sequence number (draft-holmer-rmcat-transport-wide-cc-extensions-01 §2),
/// abs-send-time, and the mid (RFC 9143 §15.2) on every packet.
/// </summary>
/// <remarks>
/// <para>Packets are packetized once per track with a bare 12-byte header; each connection copies them into its own
/// buffer before SRTP. <see cref="Write"/> is that copy: the fixed header with this connection's payload type and
/// SSRC, an RFC 8285 one-byte extension block (§4.2), then the payload. The block has the same size on every packet
/// of the SSRC (<see cref="BlockSize"/>), so packets that were equal in size stay equal (UDP GSO runs).</para>
/// <para>Why the mid on every packet, not only on the first ones or on key frames: it costs <c>1 + mid length</c>
/// bytes (with the other two, 16 bytes of block in all for a one-character mid, ~1.3 % of a full packet), it keeps
/// the block size constant (GSO runs stay equal-size), and a receiver can bind our SSRC whenever it starts listening
/// or loses state, without us tracking which SSRCs it has acknowledged (libwebrtc stops once an RTCP report arrives).</para>
/// <para>Immutable and thread-safe; allocates nothing per packet. Only ids 1–14 are used (the one-byte form); an
/// extension negotiated with a larger id, or a mid longer than 16 bytes, is not written.</para>
/// </remarks>
internal sealed class RtpSendExtensions
{
    private readonly byte[] _mid;

    /// <summary>Creates the set from the ids (0 = not negotiated) and the mid to write.</summary>
    public RtpSendExtensions(int transportSequenceId, int absSendTimeId, int midId, string? mid)
    {
        TransportSequenceId = IsOneByteId(transportSequenceId) ? transportSequenceId : 0;
        AbsSendTimeId = IsOneByteId(absSendTimeId) ? absSendTimeId : 0;
        var midUsable = IsOneByteId(midId) && mid is { Length: > 0 and <= SdesItemExtension.MaxOneByteLength } && mid.All(c => c is >= '!' and <= '~');
        MidId = midUsable ? midId : 0;
        _mid = midUsable ? System.Text.Encoding.ASCII.GetBytes(mid!) : [];
        var elements = (TransportSequenceId != 0 ? 1 + TransportSequenceNumberExtension.Size : 0)
            + (AbsSendTimeId != 0 ? 1 + AbsSendTimeExtension.Size : 0)
            + (MidId != 0 ? 1 + _mid.Length : 0);
        BlockSize = elements == 0 ? 0 : 4 + ((elements + 3) & ~3);
    }

    /// <summary>The local id of the transport-wide sequence number, 0 when not negotiated.</summary>
    public int TransportSequenceId { get; }

    /// <summary>The local id of abs-send-time, 0 when not negotiated.</summary>
    public int AbsSendTimeId { get; }

    /// <summary>The local id of the mid, 0 when not negotiated.</summary>
    public int MidId { get; }

    /// <summary>True when packets carry a transport-wide sequence number.</summary>
    public bool HasTransportSequence => TransportSequenceId != 0;

    /// <summary>Bytes the extension block adds to a packet (its 4-byte header and padding included); 0 when nothing is written.</summary>
    public int BlockSize { get; }

    /// <summary>
    /// The extensions negotiated for <paramref name="negotiated"/> (by URI, with their negotiated ids), or null when none
    /// of ours was negotiated.
    /// </summary>
    public static RtpSendExtensions? Create(NegotiatedMedia negotiated)
    {
        ArgumentNullException.ThrowIfNull(negotiated);
        var result = new RtpSendExtensions(FindId(negotiated, RtpExtensionUri.TransportWideCc), FindId(negotiated, RtpExtensionUri.AbsSendTime),
            FindId(negotiated, RtpExtensionUri.Mid), negotiated.Mid);
        return result.BlockSize == 0 ? null : result;
    }

    /// <summary>The negotiated id of <paramref name="uri"/> in <paramref name="negotiated"/>, 0 when absent.</summary>
    public static int FindId(NegotiatedMedia negotiated, string uri)
    {
        ArgumentNullException.ThrowIfNull(negotiated);
        foreach (var extension in negotiated.Extensions)
        {
            if (string.Equals(extension.Uri, uri, StringComparison.Ordinal))
            {
                return extension.Id;
            }
        }

        return 0;
    }

    /// <summary>
    /// True when <paramref name="packet"/> can take the block: a valid-looking RTP packet without CSRCs and without an
    /// extension block of its own (our packetizers' packets always; an application's forwarded packet maybe not).
    /// </summary>
    public bool CanExtend(ReadOnlySpan<byte> packet) =>
        BlockSize > 0 && packet.Length >= RtpHeader.FixedHeaderLength && (packet[0] & 0xC0) == 0x80 && (packet[0] & 0x1F) == 0;

    /// <summary>The length <see cref="Write"/> produces for <paramref name="packet"/>.</summary>
    public int GetWrittenLength(ReadOnlySpan<byte> packet) => CanExtend(packet) ? packet.Length + BlockSize : packet.Length;

    /// <summary>
    /// Copies <paramref name="packet"/> into <paramref name="destination"/> with <paramref name="payloadType"/> (the marker
    /// bit kept), <paramref name="ssrc"/>, and, when <see cref="CanExtend"/>, the extension block carrying
    /// <paramref name="transportSequence"/> and the abs-send-time of <paramref name="sendTime"/>. Returns the length
    /// written (<see cref="GetWrittenLength"/>); <paramref name="usedTransportSequence"/> tells whether the packet
    /// carries the transport-wide sequence number. The P bit and padding are kept. Allocates nothing.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="destination"/> is shorter than <see cref="GetWrittenLength"/>.</exception>
    public int Write(ReadOnlySpan<byte> packet, Span<byte> destination, byte payloadType, uint ssrc, ushort transportSequence, TimeSpan sendTime,
        out bool usedTransportSequence)
    {
        if (!CanExtend(packet))
        {
            usedTransportSequence = false;
            packet.CopyTo(destination);
            RtpFixedHeader.Rewrite(destination, payloadType, ssrc);
            return packet.Length;
        }

        Span<byte> sequence = stackalloc byte[TransportSequenceNumberExtension.Size];
        Span<byte> absSendTime = stackalloc byte[AbsSendTimeExtension.Size];
        scoped var extensions = new RtpHeaderExtensions();
        if (MidId != 0)
        {
            extensions.Add(MidId, _mid);
        }

        if (AbsSendTimeId != 0)
        {
            AbsSendTimeExtension.Write(absSendTime, sendTime);
            extensions.Add(AbsSendTimeId, absSendTime);
        }

        if (TransportSequenceId != 0)
        {
            TransportSequenceNumberExtension.Write(sequence, transportSequence);
            extensions.Add(TransportSequenceId, sequence);
        }

        var payload = packet[RtpHeader.FixedHeaderLength..];
        var total = packet.Length + BlockSize;
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, total, nameof(destination));

        // destination and packet never overlap: the copy goes to the connection's own buffer.
        var headerLength = RtpHeaderWriter.Write(destination, (packet[1] & 0x80) != 0, (byte)(payloadType & 0x7F),
            System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(packet[2..]),
            System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(packet[4..]), ssrc, [], extensions);
        destination[0] |= (byte)(packet[0] & 0x20);
        payload.CopyTo(destination[headerLength..]);
        usedTransportSequence = TransportSequenceId != 0;
        return headerLength + payload.Length;
    }

    private static bool IsOneByteId(int id) => id is >= 1 and <= 14;
}
