namespace Kvs.WebRtc.PeerConnection.Rtcp;

/// <summary>
/// A picture loss indication, PLI (PSFB, FMT 1; RFC 4585 §6.3.1): no FCI, 12 bytes. The media sender answers with a
/// keyframe. Often sent alone as reduced-size RTCP (RFC 5506).
/// </summary>
/// <remarks>
/// <code>
/// |V=2|P|  FMT=1  |   PT=206      |          length=2             |
/// |                  SSRC of packet sender                        |
/// |                  SSRC of media source                         |
/// </code>
/// </remarks>
internal readonly record struct RtcpPictureLossIndication(uint SenderSsrc, uint MediaSsrc)
{
    /// <summary>Size of a PLI.</summary>
    public const int Size = RtcpFeedback.CommonLength;

    /// <summary>Parses a PLI; false when it is not one or is truncated.</summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out RtcpPictureLossIndication pli)
    {
        pli = default;
        if (!RtcpFeedback.TryParse(packet, RtcpPacketType.PayloadSpecificFeedback, RtcpFeedbackFormat.PictureLossIndication, Size, out var sender, out var media, out _))
        {
            return false;
        }

        pli = new RtcpPictureLossIndication(sender, media);
        return true;
    }

    /// <summary>Writes this PLI and returns 12.</summary>
    public int Write(Span<byte> destination)
    {
        RtcpFeedback.WriteCommon(destination, RtcpPacketType.PayloadSpecificFeedback, RtcpFeedbackFormat.PictureLossIndication, Size, SenderSsrc, MediaSsrc);
        return Size;
    }
}
