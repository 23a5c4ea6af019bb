using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Dtls.Messages;

/// <summary>The HelloVerifyRequest body (RFC 6347 §4.2.1): server_version and a cookie of 1 to 255 bytes.</summary>
internal readonly ref struct DtlsHelloVerifyRequest
{
    /// <summary>The version the server wrote (DTLS 1.0 for compatibility, RFC 6347 §4.2.1).</summary>
    public ushort ServerVersion { get; init; }

    /// <summary>The cookie to echo in the second ClientHello.</summary>
    public ReadOnlySpan<byte> Cookie { get; init; }

    /// <summary>Parses a body; false when it is truncated, has trailing bytes or an empty cookie.</summary>
    public static bool TryParse(ReadOnlySpan<byte> body, out DtlsHelloVerifyRequest message)
    {
        message = default;
        var reader = new DtlsReader(body);
        if (!reader.TryReadUInt16(out var version) || !reader.TryReadVector8(out var cookie) || reader.Remaining != 0 || cookie.IsEmpty)
        {
            return false;
        }

        message = new DtlsHelloVerifyRequest { ServerVersion = version, Cookie = cookie };
        return true;
    }

    /// <summary>Body length for a cookie of <paramref name="cookieLength"/> bytes.</summary>
    public static int BodyLength(int cookieLength) => 3 + cookieLength;

    /// <summary>Writes a body carrying <paramref name="cookie"/> (at most 255 bytes) into <paramref name="destination"/>[..<see cref="BodyLength"/>].</summary>
    public static void Write(Span<byte> destination, ReadOnlySpan<byte> cookie)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, DtlsVersion.Dtls10);
        destination[2] = (byte)cookie.Length;
        cookie.CopyTo(destination[3..]);
    }
}
