using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Rtcp;

/// <summary>
/// Transport-wide congestion control feedback (RTPFB, FMT 15; draft-holmer-rmcat-transport-wide-cc-extensions-01
/// §3.1): base sequence number, packet status count, a 24-bit reference time in 64 ms units, a feedback packet count,
/// status chunks (run-length, or status vectors of 14 one-bit or 7 two-bit symbols), then one receive delta per
/// received packet (1 byte unsigned or 2 bytes signed, 250 µs units). A validated view over the packet bytes; build
/// packets with <see cref="RtcpTransportFeedbackBuilder"/>.
/// </summary>
/// <remarks>
/// <code>
/// |V=2|P|  FMT=15 |    PT=205     |           length              |
/// |                     SSRC of packet sender                     |
/// |                      SSRC of media source                     |
/// |      base sequence number     |      packet status count      |
/// |                 reference time                | fb pkt. count |
/// |          packet chunk         |         packet chunk          |
/// |         recv delta            |  recv delta   | zero padding  |
/// </code>
/// <see cref="TryParse"/> checks, in time proportional to the packet's size (not to the status count), that the
/// chunks cover the status count and that every delta they announce is inside the packet; trailing bytes (padding)
/// are ignored. Symbol 3 (reserved) is rejected.
/// </remarks>
internal readonly ref struct RtcpTransportFeedback
{
    /// <summary>Header, SSRCs and the fixed fields before the first chunk.</summary>
    public const int FixedLength = 20;

    /// <summary>Duration of one reference-time unit (64 ms).</summary>
    public static readonly TimeSpan ReferenceTimeUnit = TimeSpan.FromMilliseconds(64);

    private readonly ReadOnlySpan<byte> _packet;
    private readonly int _deltaOffset;

    private RtcpTransportFeedback(ReadOnlySpan<byte> packet, int deltaOffset, int receivedCount)
    {
        _packet = packet;
        _deltaOffset = deltaOffset;
        ReceivedCount = receivedCount;
    }

    /// <summary>SSRC of the packet sender.</summary>
    public uint SenderSsrc => BinaryPrimitives.ReadUInt32BigEndian(_packet[4..]);

    /// <summary>SSRC of the media source (libwebrtc puts one of the sender's SSRCs; the feedback is transport-wide).</summary>
    public uint MediaSsrc => BinaryPrimitives.ReadUInt32BigEndian(_packet[8..]);

    /// <summary>Transport-wide sequence number of the first status.</summary>
    public ushort BaseSequenceNumber => BinaryPrimitives.ReadUInt16BigEndian(_packet[12..]);

    /// <summary>Number of statuses (1–65535).</summary>
    public int PacketStatusCount => BinaryPrimitives.ReadUInt16BigEndian(_packet[14..]);

    /// <summary>The raw 24-bit reference time in 64 ms units.</summary>
    public uint ReferenceTimeRaw => ((uint)_packet[16] << 16) | BinaryPrimitives.ReadUInt16BigEndian(_packet[17..]);

    /// <summary>The reference time as a duration (<see cref="ReferenceTimeRaw"/> × 64 ms).</summary>
    public TimeSpan ReferenceTime => ReferenceTimeUnit * ReferenceTimeRaw;

    /// <summary>The feedback packet count (8 bits, wraps), to detect lost feedback.</summary>
    public byte FeedbackPacketCount => _packet[19];

    /// <summary>Number of statuses marked received.</summary>
    public int ReceivedCount { get; }

    /// <summary>Reads the statuses in sequence order. Allocates nothing.</summary>
    public RtcpTransportFeedbackReader GetStatuses() => new(_packet[.._deltaOffset], _packet[_deltaOffset..], BaseSequenceNumber, PacketStatusCount, (long)ReferenceTimeRaw * 256);

    /// <summary>Copies up to <c>destination.Length</c> statuses into <paramref name="destination"/> and returns how many were written.</summary>
    public int CopyStatuses(Span<RtcpTransportFeedbackStatus> destination)
    {
        var reader = GetStatuses();
        var n = 0;
        while (n < destination.Length && reader.TryReadNext(out var status))
        {
            destination[n++] = status;
        }

        return n;
    }

    /// <summary>Parses and validates a transport-wide feedback packet; false when it is not one or is inconsistent.</summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out RtcpTransportFeedback feedback)
    {
        feedback = default;
        if (!RtcpFeedback.TryParse(packet, RtcpPacketType.TransportFeedback, RtcpFeedbackFormat.TransportWideCc, FixedLength, out _, out _, out var fci))
        {
            return false;
        }

        packet = packet[..(RtcpFeedback.CommonLength + fci.Length)];
        int remaining = BinaryPrimitives.ReadUInt16BigEndian(packet[14..]);
        if (remaining == 0)
        {
            return false;
        }

        var offset = FixedLength;
        var deltaBytes = 0;
        var received = 0;
        while (remaining > 0)
        {
            if (offset + 2 > packet.Length)
            {
                return false;
            }

            int chunk = BinaryPrimitives.ReadUInt16BigEndian(packet[offset..]);
            offset += 2;
            if ((chunk & 0x8000) == 0)
            {
                var symbol = (chunk >> 13) & 0x03;
                var run = Math.Min(chunk & 0x1FFF, remaining);
                if (symbol == 3)
                {
                    return false;
                }

                if (symbol != 0)
                {
                    received += run;
                    deltaBytes += run * symbol;
                }

                remaining -= run;
            }
            else
            {
                var twoBit = (chunk & 0x4000) != 0;
                var capacity = twoBit ? 7 : 14;
                var n = Math.Min(capacity, remaining);
                for (var i = 0; i < n; i++)
                {
                    var symbol = twoBit ? (chunk >> (2 * (6 - i))) & 0x03 : (chunk >> (13 - i)) & 0x01;
                    if (symbol == 3)
                    {
                        return false;
                    }

                    if (symbol != 0)
                    {
                        received++;
                        deltaBytes += symbol;
                    }
                }

                remaining -= n;
            }

            if (deltaBytes > packet.Length - offset)
            {
                return false;
            }
        }

        feedback = new RtcpTransportFeedback(packet, offset, received);
        return true;
    }
}
