using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Rtcp;

/// <summary>
/// Receiver estimated maximum bitrate, REMB (PSFB, FMT 15 application layer feedback; draft-alvestrand-rmcat-remb-03
/// §2.2): the unique identifier "REMB", the number of SSRCs, the bitrate as a 6-bit exponent and 18-bit mantissa
/// (bits/s = mantissa · 2^exp), then the SSRCs it applies to. A view over the packet bytes.
/// </summary>
/// <remarks>
/// <code>
/// |V=2|P| FMT=15  |   PT=206      |             length            |
/// |                  SSRC of packet sender                        |
/// |                  SSRC of media source (0)                     |
/// |  Unique identifier 'R' 'E' 'M' 'B'                            |
/// |  Num SSRC     | BR Exp    |  BR Mantissa                      |
/// |   SSRC feedback                                               |  (Num SSRC times)
/// </code>
/// </remarks>
internal readonly ref struct RtcpReceiverEstimatedMaxBitrate
{
    /// <summary>Size without SSRCs.</summary>
    public const int FixedLength = 20;

    private const uint Identifier = 0x52454D42; // "REMB"

    private readonly ReadOnlySpan<byte> _ssrcs;

    private RtcpReceiverEstimatedMaxBitrate(uint senderSsrc, ulong bitrate, ReadOnlySpan<byte> ssrcs)
    {
        SenderSsrc = senderSsrc;
        Bitrate = bitrate;
        _ssrcs = ssrcs;
    }

    /// <summary>SSRC of the packet sender.</summary>
    public uint SenderSsrc { get; }

    /// <summary>The estimate in bits per second (saturates at <see cref="ulong.MaxValue"/>).</summary>
    public ulong Bitrate { get; }

    /// <summary>Number of SSRCs the estimate applies to.</summary>
    public int SsrcCount => _ssrcs.Length / 4;

    /// <summary>SSRC <paramref name="index"/>.</summary>
    public uint GetSsrc(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, SsrcCount);
        return BinaryPrimitives.ReadUInt32BigEndian(_ssrcs[(index * 4)..]);
    }

    /// <summary>Parses a REMB; false when it is not PSFB FMT 15 with "REMB", or the SSRC list is truncated.</summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out RtcpReceiverEstimatedMaxBitrate remb)
    {
        remb = default;
        if (!RtcpFeedback.TryParse(packet, RtcpPacketType.PayloadSpecificFeedback, RtcpFeedbackFormat.ApplicationLayerFeedback, FixedLength, out var sender, out _, out var fci)
            || BinaryPrimitives.ReadUInt32BigEndian(fci) != Identifier)
        {
            return false;
        }

        var count = fci[4];
        if (8 + (count * 4) > fci.Length)
        {
            return false;
        }

        var exponent = fci[5] >> 2;
        var mantissa = ((ulong)(fci[5] & 0x03) << 16) | BinaryPrimitives.ReadUInt16BigEndian(fci[6..]);
        var bitrate = mantissa == 0 ? 0 : exponent > 63 - 18 && (mantissa >> (64 - exponent)) != 0 ? ulong.MaxValue : mantissa << exponent;
        remb = new RtcpReceiverEstimatedMaxBitrate(sender, bitrate, fci.Slice(8, count * 4));
        return true;
    }

    /// <summary>Bytes <see cref="Write"/> needs.</summary>
    public static int GetSize(int ssrcCount) => FixedLength + (ssrcCount * 4);

    /// <summary>Writes a REMB for <paramref name="bitrate"/> bits/s (rounded down to 18 significant bits) and returns its length.</summary>
    /// <exception cref="ArgumentOutOfRangeException">More than 255 SSRCs, or <paramref name="destination"/> is too small.</exception>
    public static int Write(Span<byte> destination, uint senderSsrc, ulong bitrate, ReadOnlySpan<uint> ssrcs)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ssrcs.Length, 255, nameof(ssrcs));
        var size = GetSize(ssrcs.Length);
        RtcpFeedback.WriteCommon(destination, RtcpPacketType.PayloadSpecificFeedback, RtcpFeedbackFormat.ApplicationLayerFeedback, size, senderSsrc, 0);
        var exponent = 0;
        while ((bitrate >> exponent) > 0x3FFFF)
        {
            exponent++;
        }

        var mantissa = (uint)(bitrate >> exponent);
        BinaryPrimitives.WriteUInt32BigEndian(destination[12..], Identifier);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], ((uint)ssrcs.Length << 24) | ((uint)exponent << 18) | mantissa);
        for (var i = 0; i < ssrcs.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[(FixedLength + (i * 4))..], ssrcs[i]);
        }

        return size;
    }
}
