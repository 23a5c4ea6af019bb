using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Dtls;

/// <summary>
/// The 13-byte DTLSPlaintext/DTLSCiphertext header (RFC 6347 §4.1): type, version, epoch, 48-bit sequence number, length.
/// </summary>
internal readonly record struct DtlsRecordHeader(byte ContentType, ushort Version, ushort Epoch, ulong SequenceNumber, ushort Length)
{
    /// <summary>Header size in bytes.</summary>
    public const int Size = 13;

    /// <summary>Largest record payload accepted: 2^14 plaintext plus 2048 bytes of expansion (RFC 5246 §6.2.3).</summary>
    public const int MaxPayload = 16384 + 2048;

    /// <summary>Reads a header; false when <paramref name="source"/> is too short, the version is not DTLS or the length is impossible.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out DtlsRecordHeader header)
    {
        header = default;
        if (source.Length < Size)
        {
            return false;
        }

        var version = BinaryPrimitives.ReadUInt16BigEndian(source[1..]);
        if (version is not (DtlsVersion.Dtls12 or DtlsVersion.Dtls10))
        {
            return false;
        }

        var epoch = BinaryPrimitives.ReadUInt16BigEndian(source[3..]);
        var sequence = ((ulong)BinaryPrimitives.ReadUInt16BigEndian(source[5..]) << 32) | BinaryPrimitives.ReadUInt32BigEndian(source[7..]);
        var length = BinaryPrimitives.ReadUInt16BigEndian(source[11..]);
        if (length > MaxPayload)
        {
            return false;
        }

        header = new DtlsRecordHeader(source[0], version, epoch, sequence, length);
        return true;
    }

    /// <summary>Writes the header into <paramref name="destination"/>[..13].</summary>
    public static void Write(Span<byte> destination, byte contentType, ushort epoch, ulong sequence, int length)
    {
        destination[0] = contentType;
        BinaryPrimitives.WriteUInt16BigEndian(destination[1..], DtlsVersion.Dtls12);
        BinaryPrimitives.WriteUInt16BigEndian(destination[3..], epoch);
        BinaryPrimitives.WriteUInt16BigEndian(destination[5..], (ushort)(sequence >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(destination[7..], (uint)sequence);
        BinaryPrimitives.WriteUInt16BigEndian(destination[11..], (ushort)length);
    }
}
