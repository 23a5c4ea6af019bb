using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Dtls.Messages;

/// <summary>
/// The 12-byte DTLS handshake header (RFC 6347 §4.2.2): msg_type, length, message_seq, fragment_offset,
/// fragment_length. <see cref="Type"/> stays a byte because unknown types must travel to the state machine.
/// </summary>
internal readonly record struct DtlsHandshakeHeader(byte Type, int Length, ushort MessageSequence, int FragmentOffset, int FragmentLength)
{
    /// <summary>Header size in bytes.</summary>
    public const int Size = 12;

    /// <summary>Whether the fragment is the whole message.</summary>
    public bool IsWhole => FragmentOffset == 0 && FragmentLength == Length;

    /// <summary>
    /// Reads one handshake fragment from the start of <paramref name="source"/>; false when the header is truncated,
    /// the fragment runs past the input, or offset + fragment_length exceeds the message length.
    /// </summary>
    /// <param name="source">Record plaintext holding one or more fragments.</param>
    /// <param name="header">The header read.</param>
    /// <param name="fragment">The fragment's bytes.</param>
    /// <param name="consumed">Header plus fragment length.</param>
    public static bool TryRead(ReadOnlySpan<byte> source, out DtlsHandshakeHeader header, out ReadOnlySpan<byte> fragment, out int consumed)
    {
        header = default;
        fragment = default;
        consumed = 0;
        var reader = new DtlsReader(source);
        if (!reader.TryReadByte(out var type) || !reader.TryReadUInt24(out var length) || !reader.TryReadUInt16(out var sequence) ||
            !reader.TryReadUInt24(out var offset) || !reader.TryReadUInt24(out var fragmentLength) ||
            offset + fragmentLength > length || !reader.TryReadBytes(fragmentLength, out fragment))
        {
            return false;
        }

        header = new DtlsHandshakeHeader(type, length, sequence, offset, fragmentLength);
        consumed = Size + fragmentLength;
        return true;
    }

    /// <summary>Writes a header into <paramref name="destination"/>[..12].</summary>
    public static void Write(Span<byte> destination, DtlsHandshakeType type, int length, int sequence, int offset, int fragmentLength)
    {
        destination[0] = (byte)type;
        WriteUInt24(destination[1..], length);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], (ushort)sequence);
        WriteUInt24(destination[6..], offset);
        WriteUInt24(destination[9..], fragmentLength);
    }

    /// <summary>Writes an unfragmented message (header with offset 0 and the whole body) to <paramref name="writer"/>.</summary>
    public static void WriteWhole(DtlsWriter writer, DtlsHandshakeType type, int sequence, ReadOnlySpan<byte> body)
    {
        Span<byte> header = stackalloc byte[Size];
        Write(header, type, body.Length, sequence, 0, body.Length);
        writer.WriteBytes(header);
        writer.WriteBytes(body);
    }

    private static void WriteUInt24(Span<byte> destination, int value)
    {
        destination[0] = (byte)(value >> 16);
        destination[1] = (byte)(value >> 8);
        destination[2] = (byte)value;
    }
}
