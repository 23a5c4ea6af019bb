namespace Kvs.WebRtc.PeerConnection.Stun;

/// <summary>Why bytes were not accepted as a STUN message.</summary>
internal enum StunParseError
{
    /// <summary>No error.</summary>
    None = 0,

    /// <summary>Shorter than the 20-byte header, or than the length the header declares.</summary>
    Truncated,

    /// <summary>The two leading bits are not zero (RFC 8489 §5): not STUN.</summary>
    NotStun,

    /// <summary>The magic cookie is not 0x2112A442.</summary>
    BadMagicCookie,

    /// <summary>The length field is not a multiple of 4.</summary>
    BadLength,

    /// <summary>More bytes than the header declares (oversized datagram).</summary>
    TrailingData,

    /// <summary>An attribute's declared length runs past the end of the message.</summary>
    AttributeOverrun,

    /// <summary>An attribute follows FINGERPRINT, which must be last (RFC 8489 §14.7).</summary>
    AttributeAfterFingerprint,

    /// <summary>MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 or FINGERPRINT has the wrong length.</summary>
    MalformedIntegrityAttribute,
}
