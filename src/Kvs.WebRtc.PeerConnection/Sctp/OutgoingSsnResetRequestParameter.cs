using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Sctp;

/// <summary>
/// The Outgoing SSN Reset Request parameter of a RE-CONFIG chunk (RFC 6525 §4.1): the sender resets its outgoing
/// streams (all of them when the list is empty) once every TSN up to its last assigned one has arrived.
/// </summary>
internal readonly ref struct OutgoingSsnResetRequestParameter
{
    /// <summary>Value bytes before the stream list.</summary>
    public const int FixedLength = 12;

    private readonly ReadOnlySpan<byte> _streams;

    private OutgoingSsnResetRequestParameter(uint requestSequence, uint responseSequence, uint lastAssignedTsn, ReadOnlySpan<byte> streams)
    {
        RequestSequence = requestSequence;
        ResponseSequence = responseSequence;
        LastAssignedTsn = lastAssignedTsn;
        _streams = streams;
    }

    /// <summary>Re-configuration Request Sequence Number.</summary>
    public uint RequestSequence { get; }

    /// <summary>Re-configuration Response Sequence Number (the last request of ours the sender saw, plus one, minus one).</summary>
    public uint ResponseSequence { get; }

    /// <summary>Sender's Last Assigned TSN.</summary>
    public uint LastAssignedTsn { get; }

    /// <summary>Streams listed (an odd trailing byte is ignored).</summary>
    public int StreamCount => _streams.Length / 2;

    /// <summary>Stream <paramref name="index"/> of the list.</summary>
    public ushort GetStream(int index) => BinaryPrimitives.ReadUInt16BigEndian(_streams[(index * 2)..]);

    /// <summary>Parses the parameter value (after the 4-byte parameter header); false when shorter than 12 bytes.</summary>
    public static bool TryParse(ReadOnlySpan<byte> value, out OutgoingSsnResetRequestParameter request)
    {
        if (value.Length < FixedLength)
        {
            request = default;
            return false;
        }

        request = new OutgoingSsnResetRequestParameter(
            BinaryPrimitives.ReadUInt32BigEndian(value),
            BinaryPrimitives.ReadUInt32BigEndian(value[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(value[8..]),
            value[FixedLength..]);
        return true;
    }

    /// <summary>Bytes the parameter takes in a chunk, padding included.</summary>
    public static int WrittenLength(int streamCount) => SctpPacket.Pad4(4 + FixedLength + (2 * streamCount));

    /// <summary>Writes the parameter (header, fields, streams, padding) into the current chunk.</summary>
    public static void Write(ref SctpPacketWriter writer, uint requestSequence, uint responseSequence, uint lastAssignedTsn, scoped ReadOnlySpan<ushort> streams)
    {
        var length = 4 + FixedLength + (2 * streams.Length);
        writer.WriteUInt16((ushort)SctpParameterType.OutgoingSsnResetRequest);
        writer.WriteUInt16((ushort)length);
        writer.WriteUInt32(requestSequence);
        writer.WriteUInt32(responseSequence);
        writer.WriteUInt32(lastAssignedTsn);
        foreach (var id in streams)
        {
            writer.WriteUInt16(id);
        }

        if ((length & 3) != 0)
        {
            writer.WriteUInt16(0);
        }
    }
}
