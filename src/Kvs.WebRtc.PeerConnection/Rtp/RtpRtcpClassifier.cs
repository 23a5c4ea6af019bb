namespace Kvs.WebRtc.PeerConnection.Rtp;

/// <summary>
/// Tells RTP from RTCP on a multiplexed port (RFC 5761 §4): both start with version 2; the second byte of RTCP is its
/// packet type 192–223 (SR 200, RR 201, SDES 202, BYE 203, APP 204, RTPFB 205, PSFB 206, XR 207), which as an RTP
/// M bit + payload type would be 64–95, the range RFC 5761 keeps free of RTP payload types.
/// </summary>
internal static class RtpRtcpClassifier
{
    /// <summary>True when the first byte carries version 2 (the RFC 7983 range 128–191).</summary>
    public static bool IsRtpOrRtcp(ReadOnlySpan<byte> packet) => !packet.IsEmpty && (packet[0] & 0xC0) == 0x80;

    /// <summary>True for a version-2 packet whose second byte is 192–223: RTCP.</summary>
    public static bool IsRtcp(ReadOnlySpan<byte> packet) => packet.Length >= 2 && (packet[0] & 0xC0) == 0x80 && packet[1] is >= 192 and <= 223;

    /// <summary>True for a version-2 packet that is not RTCP (at least the 12-byte fixed header long).</summary>
    public static bool IsRtp(ReadOnlySpan<byte> packet) => packet.Length >= RtpHeader.FixedHeaderLength && (packet[0] & 0xC0) == 0x80 && packet[1] is < 192 or > 223;
}
