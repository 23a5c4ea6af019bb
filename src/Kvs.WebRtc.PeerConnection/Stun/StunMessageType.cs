namespace Kvs.WebRtc.PeerConnection.Stun;

/// <summary>A STUN message type: a method and a class, interleaved on the wire.</summary>
/// <param name="Method">The method (12 bits; values outside <see cref="StunMethod"/> are kept as numbers).</param>
/// <param name="Class">The class.</param>
/// <remarks>RFC 8489 §5: bits M11..M7 C1 M6..M4 C0 M3..M0 after the two leading zero bits.</remarks>
internal readonly record struct StunMessageType(StunMethod Method, StunClass Class)
{
    /// <summary>Binding request.</summary>
    public static StunMessageType BindingRequest => new(StunMethod.Binding, StunClass.Request);

    /// <summary>Binding success response.</summary>
    public static StunMessageType BindingSuccess => new(StunMethod.Binding, StunClass.SuccessResponse);

    /// <summary>Binding error response.</summary>
    public static StunMessageType BindingError => new(StunMethod.Binding, StunClass.ErrorResponse);

    /// <summary>Binding indication (ICE keep-alive).</summary>
    public static StunMessageType BindingIndication => new(StunMethod.Binding, StunClass.Indication);

    /// <summary>The 14-bit wire value.</summary>
    public ushort ToWire()
    {
        var m = (int)Method & 0xFFF;
        var c = (int)Class & 0x3;
        return (ushort)(((m & 0xF80) << 2) | ((m & 0x070) << 1) | (m & 0x00F) | ((c & 0x2) << 7) | ((c & 0x1) << 4));
    }

    /// <summary>Splits a wire value (the two leading bits are ignored) into method and class.</summary>
    public static StunMessageType FromWire(ushort value)
    {
        var m = (value & 0x000F) | ((value & 0x00E0) >> 1) | ((value & 0x3E00) >> 2);
        var c = ((value & 0x0010) >> 4) | ((value & 0x0100) >> 7);
        return new StunMessageType((StunMethod)m, (StunClass)c);
    }

    /// <summary>The matching success response type for this request type.</summary>
    public StunMessageType ToSuccess() => new(Method, StunClass.SuccessResponse);

    /// <summary>The matching error response type for this request type.</summary>
    public StunMessageType ToError() => new(Method, StunClass.ErrorResponse);

    /// <inheritdoc />
    public override string ToString() => $"{Method} {Class}";
}
