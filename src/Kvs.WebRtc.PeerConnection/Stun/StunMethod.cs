namespace Kvs.WebRtc.PeerConnection.Stun;

/// <summary>STUN methods (12 bits of the message type) used by ICE and TURN.</summary>
/// <remarks>RFC 8489 §18.2 (Binding), RFC 8656 §17 (TURN methods).</remarks>
internal enum StunMethod : ushort
{
    /// <summary>Binding (RFC 8489).</summary>
    Binding = 0x001,

    /// <summary>Allocate (RFC 8656 §7).</summary>
    Allocate = 0x003,

    /// <summary>Refresh (RFC 8656 §8).</summary>
    Refresh = 0x004,

    /// <summary>Send (indication only, RFC 8656 §11).</summary>
    Send = 0x006,

    /// <summary>Data (indication only, RFC 8656 §11).</summary>
    Data = 0x007,

    /// <summary>CreatePermission (RFC 8656 §10).</summary>
    CreatePermission = 0x008,

    /// <summary>ChannelBind (RFC 8656 §12).</summary>
    ChannelBind = 0x009,
}
