namespace Kvs.WebRtc.PeerConnection.Stun;

/// <summary>What a datagram on a multiplexed WebRTC socket is, by its first byte.</summary>
/// <remarks>RFC 7983 §7 (with RFC 7983bis's TURN ChannelData range 64-79).</remarks>
internal enum DemuxPacketKind
{
    /// <summary>Empty or in no known range: drop it.</summary>
    Unknown = 0,

    /// <summary>0-3: STUN.</summary>
    Stun,

    /// <summary>16-19: ZRTP (not used by WebRTC).</summary>
    Zrtp,

    /// <summary>20-63: DTLS.</summary>
    Dtls,

    /// <summary>64-79: TURN ChannelData.</summary>
    TurnChannelData,

    /// <summary>128-191: RTP or RTCP.</summary>
    RtpOrRtcp,
}
