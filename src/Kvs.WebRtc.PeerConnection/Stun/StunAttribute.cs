namespace Kvs.WebRtc.PeerConnection.Stun;

/// <summary>One attribute of a parsed message: its type and value (without padding), a view into the message.</summary>
/// <remarks>RFC 8489 §14: type (16 bits), length (16 bits, unpadded), value padded to 4 bytes.</remarks>
internal readonly ref struct StunAttribute
{
    /// <summary>Creates a view.</summary>
    public StunAttribute(ushort type, ReadOnlySpan<byte> value, int offset)
    {
        RawType = type;
        Value = value;
        Offset = offset;
    }

    /// <summary>The attribute type as a number (may be one this stack does not know).</summary>
    public ushort RawType { get; }

    /// <summary>The attribute type.</summary>
    public StunAttributeType Type => (StunAttributeType)RawType;

    /// <summary>The value, without padding.</summary>
    public ReadOnlySpan<byte> Value { get; }

    /// <summary>Offset of the attribute header from the start of the message.</summary>
    public int Offset { get; }

    /// <summary>True for types 0x0000-0x7FFF, which a receiver must understand (RFC 8489 §14).</summary>
    public bool IsComprehensionRequired => RawType < 0x8000;
}
