namespace Kvs.WebRtc.PeerConnection.Stun;

/// <summary>The class of a STUN message (two bits of the message type).</summary>
/// <remarks>RFC 8489 §5.</remarks>
internal enum StunClass : byte
{
    /// <summary>A request (C1C0 = 0b00).</summary>
    Request = 0,

    /// <summary>An indication (0b01).</summary>
    Indication = 1,

    /// <summary>A success response (0b10).</summary>
    SuccessResponse = 2,

    /// <summary>An error response (0b11).</summary>
    ErrorResponse = 3,
}
