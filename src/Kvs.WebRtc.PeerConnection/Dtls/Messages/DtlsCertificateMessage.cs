namespace Kvs.WebRtc.PeerConnection.Dtls.Messages;

/// <summary>
/// The Certificate body (RFC 5246 §7.4.2): a 24-bit-length list of 24-bit-length DER certificates. WebRTC uses only
/// the first (leaf) one, whose fingerprint the SDP carries.
/// </summary>
internal readonly ref struct DtlsCertificateMessage
{
    /// <summary>The first certificate's DER bytes; empty when the list is empty or its first entry is unreadable.</summary>
    public ReadOnlySpan<byte> Leaf { get; init; }

    /// <summary>Parses a body; false when the outer list is truncated or followed by bytes.</summary>
    public static bool TryParse(ReadOnlySpan<byte> body, out DtlsCertificateMessage message)
    {
        message = default;
        var reader = new DtlsReader(body);
        if (!reader.TryReadVector24(out var list) || reader.Remaining != 0)
        {
            return false;
        }

        var entries = new DtlsReader(list);
        message = new DtlsCertificateMessage { Leaf = entries.TryReadVector24(out var leaf) ? leaf : default };
        return true;
    }

    /// <summary>Writes a body carrying the single certificate <paramref name="der"/>.</summary>
    public static void Write(DtlsWriter writer, ReadOnlySpan<byte> der)
    {
        var list = writer.BeginVector(3);
        writer.WriteUInt24(der.Length);
        writer.WriteBytes(der);
        writer.EndVector(list, 3);
    }
}
