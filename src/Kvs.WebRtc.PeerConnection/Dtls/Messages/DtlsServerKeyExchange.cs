namespace Kvs.WebRtc.PeerConnection.Dtls.Messages;

/// <summary>
/// The ECDHE ServerKeyExchange body (RFC 8422 §5.4): ServerECDHParams (named_curve, group, public point) then the
/// signature (SignatureScheme, signature) over client_random + server_random + ServerECDHParams.
/// </summary>
internal readonly ref struct DtlsServerKeyExchange
{
    /// <summary>The named group of the server's key share (see <see cref="DtlsNamedGroup"/>).</summary>
    public ushort NamedGroup { get; init; }

    /// <summary>The server's encoded public point.</summary>
    public ReadOnlySpan<byte> PublicPoint { get; init; }

    /// <summary>The ServerECDHParams bytes exactly as received (what the signature covers after the two randoms).</summary>
    public ReadOnlySpan<byte> Parameters { get; init; }

    /// <summary>The SignatureScheme of <see cref="Signature"/> (see <see cref="DtlsSignatureScheme"/>).</summary>
    public ushort SignatureScheme { get; init; }

    /// <summary>The DER signature.</summary>
    public ReadOnlySpan<byte> Signature { get; init; }

    /// <summary>Parses a body; false when truncated, not a named curve, or followed by bytes.</summary>
    public static bool TryParse(ReadOnlySpan<byte> body, out DtlsServerKeyExchange message)
    {
        message = default;
        var reader = new DtlsReader(body);
        if (!reader.TryReadByte(out var curveType) || curveType != DtlsCodePoint.NamedCurve || !reader.TryReadUInt16(out var group) ||
            !reader.TryReadVector8(out var point))
        {
            return false;
        }

        var parameters = body[..(body.Length - reader.Remaining)];
        if (!reader.TryReadUInt16(out var scheme) || !reader.TryReadVector16(out var signature) || reader.Remaining != 0)
        {
            return false;
        }

        message = new DtlsServerKeyExchange
        {
            NamedGroup = group,
            PublicPoint = point,
            Parameters = parameters,
            SignatureScheme = scheme,
            Signature = signature,
        };
        return true;
    }

    /// <summary>Writes the ServerECDHParams part; the caller signs what was written, then calls <see cref="WriteSignature"/>.</summary>
    public static void WriteParameters(DtlsWriter writer, ushort group, ReadOnlySpan<byte> publicPoint)
    {
        writer.WriteByte(DtlsCodePoint.NamedCurve);
        writer.WriteUInt16(group);
        writer.WriteByte((byte)publicPoint.Length);
        writer.WriteBytes(publicPoint);
    }

    /// <summary>Writes the signature part.</summary>
    public static void WriteSignature(DtlsWriter writer, ushort scheme, ReadOnlySpan<byte> signature)
    {
        writer.WriteUInt16(scheme);
        writer.WriteUInt16((ushort)signature.Length);
        writer.WriteBytes(signature);
    }
}
