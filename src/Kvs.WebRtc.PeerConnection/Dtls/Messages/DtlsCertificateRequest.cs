namespace Kvs.WebRtc.PeerConnection.Dtls.Messages;

/// <summary>
/// The CertificateRequest body (RFC 5246 §7.4.4): certificate types (1-byte list), supported signature schemes
/// (2-byte list of 16-bit values), certificate authorities (2-byte list; WebRTC sends none).
/// </summary>
internal readonly ref struct DtlsCertificateRequest
{
    /// <summary>The ClientCertificateType values (at least one).</summary>
    public ReadOnlySpan<byte> CertificateTypes { get; init; }

    /// <summary>The raw signature scheme list (pairs of bytes).</summary>
    public ReadOnlySpan<byte> SignatureSchemes { get; init; }

    /// <summary>Parses a body; false when truncated, with no certificate type, or followed by bytes.</summary>
    public static bool TryParse(ReadOnlySpan<byte> body, out DtlsCertificateRequest message)
    {
        message = default;
        var reader = new DtlsReader(body);
        if (!reader.TryReadVector8(out var types) || types.IsEmpty || !reader.TryReadVector16(out var schemes) ||
            !reader.TryReadVector16(out _) || reader.Remaining != 0)
        {
            return false;
        }

        message = new DtlsCertificateRequest { CertificateTypes = types, SignatureSchemes = schemes };
        return true;
    }

    /// <summary>Writes a request for an ecdsa_sign certificate with the given schemes and no authorities.</summary>
    public static void Write(DtlsWriter writer, ReadOnlySpan<ushort> schemes)
    {
        writer.WriteByte(1);
        writer.WriteByte(DtlsCodePoint.EcdsaSign);
        writer.WriteUInt16((ushort)(2 * schemes.Length));
        foreach (var scheme in schemes)
        {
            writer.WriteUInt16(scheme);
        }

        writer.WriteUInt16(0);
    }
}
