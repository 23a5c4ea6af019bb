using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Sctp;

/// <summary>The Re-configuration Response parameter of a RE-CONFIG chunk (RFC 6525 §4.4), without the optional TSNs.</summary>
internal readonly struct ReconfigResponseParameter
{
    /// <summary>Bytes the parameter takes in a chunk (header included).</summary>
    public const int WrittenLength = 12;

    private ReconfigResponseParameter(uint responseSequence, SctpReconfigResult result)
    {
        ResponseSequence = responseSequence;
        Result = result;
    }

    /// <summary>The request sequence number this answers.</summary>
    public uint ResponseSequence { get; }

    /// <summary>The outcome.</summary>
    public SctpReconfigResult Result { get; }

    /// <summary>Parses the parameter value (after the 4-byte header); false when shorter than 8 bytes.</summary>
    public static bool TryParse(ReadOnlySpan<byte> value, out ReconfigResponseParameter response)
    {
        if (value.Length < 8)
        {
            response = default;
            return false;
        }

        response = new ReconfigResponseParameter(BinaryPrimitives.ReadUInt32BigEndian(value), (SctpReconfigResult)BinaryPrimitives.ReadUInt32BigEndian(value[4..]));
        return true;
    }

    /// <summary>Writes the parameter into the current chunk.</summary>
    public static void Write(ref SctpPacketWriter writer, uint responseSequence, SctpReconfigResult result)
    {
        writer.WriteUInt16((ushort)SctpParameterType.ReconfigurationResponse);
        writer.WriteUInt16(WrittenLength);
        writer.WriteUInt32(responseSequence);
        writer.WriteUInt32((uint)result);
    }

    /// <summary>
    /// Reads the request sequence number that starts every RE-CONFIG request parameter (RFC 6525 §4.1-§4.6); false
    /// when the value is shorter than 4 bytes.
    /// </summary>
    public static bool TryReadRequestSequence(ReadOnlySpan<byte> requestValue, out uint requestSequence)
    {
        if (requestValue.Length < 4)
        {
            requestSequence = 0;
            return false;
        }

        requestSequence = BinaryPrimitives.ReadUInt32BigEndian(requestValue);
        return true;
    }
}
