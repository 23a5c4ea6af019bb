namespace Kvs.WebRtc.PeerConnection.Dtls.Messages;

/// <summary>The ECDHE ClientKeyExchange body (RFC 8422 §5.7): the client's public point in a 1-byte-length vector.</summary>
internal readonly ref struct DtlsClientKeyExchange
{
    /// <summary>The client's encoded public point.</summary>
    public ReadOnlySpan<byte> PublicPoint { get; init; }

    /// <summary>Parses a body; false when truncated or followed by bytes.</summary>
    public static bool TryParse(ReadOnlySpan<byte> body, out DtlsClientKeyExchange message)
    {
        message = default;
        var reader = new DtlsReader(body);
        if (!reader.TryReadVector8(out var point) || reader.Remaining != 0)
        {
            return false;
        }

        message = new DtlsClientKeyExchange { PublicPoint = point };
        return true;
    }

    /// <summary>Writes a body carrying <paramref name="publicPoint"/> (at most 255 bytes).</summary>
    public static void Write(DtlsWriter writer, ReadOnlySpan<byte> publicPoint)
    {
        writer.WriteByte((byte)publicPoint.Length);
        writer.WriteBytes(publicPoint);
    }
}
