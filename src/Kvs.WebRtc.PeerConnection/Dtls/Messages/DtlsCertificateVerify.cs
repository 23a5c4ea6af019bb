namespace Kvs.WebRtc.PeerConnection.Dtls.Messages;

/// <summary>The CertificateVerify body (RFC 5246 §7.4.8): SignatureScheme and a signature over the transcript so far.</summary>
internal readonly ref struct DtlsCertificateVerify
{
    /// <summary>The SignatureScheme (see <see cref="DtlsSignatureScheme"/>).</summary>
    public ushort SignatureScheme { get; init; }

    /// <summary>The DER signature.</summary>
    public ReadOnlySpan<byte> Signature { get; init; }

    /// <summary>Parses a body; false when truncated or followed by bytes.</summary>
    public static bool TryParse(ReadOnlySpan<byte> body, out DtlsCertificateVerify message)
    {
        message = default;
        var reader = new DtlsReader(body);
        if (!reader.TryReadUInt16(out var scheme) || !reader.TryReadVector16(out var signature) || reader.Remaining != 0)
        {
            return false;
        }

        message = new DtlsCertificateVerify { SignatureScheme = scheme, Signature = signature };
        return true;
    }

    /// <summary>Writes a body.</summary>
    public static void Write(DtlsWriter writer, ushort scheme, ReadOnlySpan<byte> signature)
    {
        writer.WriteUInt16(scheme);
        writer.WriteUInt16((ushort)signature.Length);
        writer.WriteBytes(signature);
    }
}
