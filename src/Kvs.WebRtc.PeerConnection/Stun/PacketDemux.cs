namespace Kvs.WebRtc.PeerConnection.Stun;

/// <summary>Classifies datagrams on a shared socket by their first byte.</summary>
/// <remarks>RFC 7983 §7: STUN 0-3, ZRTP 16-19, DTLS 20-63, TURN channel 64-79, RTP/RTCP 128-191.</remarks>
internal static class PacketDemux
{
    /// <summary>The kind of <paramref name="datagram"/>; <see cref="DemuxPacketKind.Unknown"/> when empty or unassigned.</summary>
    public static DemuxPacketKind Classify(ReadOnlySpan<byte> datagram)
    {
        if (datagram.IsEmpty)
        {
            return DemuxPacketKind.Unknown;
        }

        return datagram[0] switch
        {
            <= 3 => DemuxPacketKind.Stun,
            >= 16 and <= 19 => DemuxPacketKind.Zrtp,
            >= 20 and <= 63 => DemuxPacketKind.Dtls,
            >= 64 and <= 79 => DemuxPacketKind.TurnChannelData,
            >= 128 and <= 191 => DemuxPacketKind.RtpOrRtcp,
            _ => DemuxPacketKind.Unknown,
        };
    }
}
