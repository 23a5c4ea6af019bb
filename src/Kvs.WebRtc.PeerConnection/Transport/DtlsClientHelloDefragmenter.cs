using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Transport;

/// <summary>
/// Joins a ClientHello that the peer fragmented over several records (RFC 6347 §4.2.3) into one unfragmented record,
/// before it reaches a DTLS server.
/// </summary>
/// <remarks>
/// <para>Why: recent Chromium sends a ClientHello larger than one MTU (post-quantum key shares), split into two
/// datagrams, while <c>DtlsConnection</c> — stateless until the cookie exchange (RFC 6347 §4.2.1) — looks only at whole
/// ClientHellos and drops fragments. Workaround kept here until the DTLS core reassembles the ClientHello itself.</para>
/// <para>The result is transcript-equivalent: DTLS hashes handshake messages as if unfragmented (RFC 6347 §4.2.6).
/// Memory is capped (one message of at most <see cref="MaxMessageLength"/> bytes).</para>
/// </remarks>
internal sealed class DtlsClientHelloDefragmenter
{
    public const int MaxMessageLength = 16 * 1024;

    private const int RecordHeaderLength = 13;
    private const int HandshakeHeaderLength = 12;
    private const byte HandshakeContentType = 22;
    private const byte ClientHelloType = 1;

    private byte[]? _body;
    private bool[]? _covered;
    private int _coveredCount;
    private int _messageSequence = -1;
    private ulong _highestRecordSequence;
    private ushort _version;

    /// <summary>
    /// Looks at a datagram. Returns false when it is not made only of ClientHello fragments (pass it on unchanged).
    /// Returns true when it was absorbed; <paramref name="reassembled"/> is then a datagram with the whole ClientHello,
    /// or null while fragments are missing.
    /// </summary>
    public bool TryAbsorb(ReadOnlySpan<byte> datagram, out byte[]? reassembled)
    {
        reassembled = null;
        if (!OnlyFragmentedClientHellos(datagram))
        {
            return false;
        }

        while (datagram.Length >= RecordHeaderLength)
        {
            var recordLength = BinaryPrimitives.ReadUInt16BigEndian(datagram[11..]);
            var record = datagram.Slice(RecordHeaderLength, recordLength);
            var version = BinaryPrimitives.ReadUInt16BigEndian(datagram[1..]);
            var recordSequence = ReadUInt48(datagram[5..]);
            datagram = datagram[(RecordHeaderLength + recordLength)..];
            while (record.Length >= HandshakeHeaderLength)
            {
                var length = ReadUInt24(record[1..]);
                var sequence = BinaryPrimitives.ReadUInt16BigEndian(record[4..]);
                var offset = ReadUInt24(record[6..]);
                var fragmentLength = ReadUInt24(record[9..]);
                var fragment = record.Slice(HandshakeHeaderLength, fragmentLength);
                record = record[(HandshakeHeaderLength + fragmentLength)..];
                if (sequence != _messageSequence || _body is null || _body.Length != length)
                {
                    _messageSequence = sequence;
                    _body = new byte[length];
                    _covered = new bool[length];
                    _coveredCount = 0;
                    _highestRecordSequence = 0;
                }

                _version = version;
                _highestRecordSequence = Math.Max(_highestRecordSequence, recordSequence);
                fragment.CopyTo(_body.AsSpan(offset));
                for (var i = offset; i < offset + fragmentLength; i++)
                {
                    if (!_covered![i])
                    {
                        _covered[i] = true;
                        _coveredCount++;
                    }
                }

                if (_coveredCount == length)
                {
                    reassembled = BuildRecord();
                    _body = null;
                    _covered = null;
                    _messageSequence = -1;
                    return true;
                }
            }
        }

        return true;
    }

    private static bool OnlyFragmentedClientHellos(ReadOnlySpan<byte> datagram)
    {
        if (datagram.IsEmpty)
        {
            return false;
        }

        while (!datagram.IsEmpty)
        {
            if (datagram.Length < RecordHeaderLength || datagram[0] != HandshakeContentType || BinaryPrimitives.ReadUInt16BigEndian(datagram[3..]) != 0)
            {
                return false;
            }

            var recordLength = BinaryPrimitives.ReadUInt16BigEndian(datagram[11..]);
            if (RecordHeaderLength + recordLength > datagram.Length)
            {
                return false;
            }

            var record = datagram.Slice(RecordHeaderLength, recordLength);
            datagram = datagram[(RecordHeaderLength + recordLength)..];
            if (record.IsEmpty)
            {
                return false;
            }

            while (!record.IsEmpty)
            {
                if (record.Length < HandshakeHeaderLength || record[0] != ClientHelloType)
                {
                    return false;
                }

                var length = ReadUInt24(record[1..]);
                var offset = ReadUInt24(record[6..]);
                var fragmentLength = ReadUInt24(record[9..]);
                if (length > MaxMessageLength || fragmentLength == length || HandshakeHeaderLength + fragmentLength > record.Length
                    || offset + fragmentLength > length)
                {
                    return false;
                }

                record = record[(HandshakeHeaderLength + fragmentLength)..];
            }
        }

        return true;
    }

    private byte[] BuildRecord()
    {
        var body = _body!;
        var output = new byte[RecordHeaderLength + HandshakeHeaderLength + body.Length];
        output[0] = HandshakeContentType;
        BinaryPrimitives.WriteUInt16BigEndian(output.AsSpan(1), _version);
        BinaryPrimitives.WriteUInt16BigEndian(output.AsSpan(3), 0);
        WriteUInt48(output.AsSpan(5), _highestRecordSequence);
        BinaryPrimitives.WriteUInt16BigEndian(output.AsSpan(11), (ushort)(HandshakeHeaderLength + body.Length));
        var handshake = output.AsSpan(RecordHeaderLength);
        handshake[0] = ClientHelloType;
        WriteUInt24(handshake[1..], body.Length);
        BinaryPrimitives.WriteUInt16BigEndian(handshake[4..], (ushort)_messageSequence);
        WriteUInt24(handshake[6..], 0);
        WriteUInt24(handshake[9..], body.Length);
        body.CopyTo(handshake[HandshakeHeaderLength..]);
        return output;
    }

    private static int ReadUInt24(ReadOnlySpan<byte> source) => (source[0] << 16) | (source[1] << 8) | source[2];

    private static ulong ReadUInt48(ReadOnlySpan<byte> source) =>
        ((ulong)BinaryPrimitives.ReadUInt16BigEndian(source) << 32) | BinaryPrimitives.ReadUInt32BigEndian(source[2..]);

    private static void WriteUInt24(Span<byte> destination, int value)
    {
        destination[0] = (byte)(value >> 16);
        destination[1] = (byte)(value >> 8);
        destination[2] = (byte)value;
    }

    private static void WriteUInt48(Span<byte> destination, ulong value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)(value >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(destination[2..], (uint)value);
    }
}
