using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Sctp;

/// <summary>A SHUTDOWN chunk (RFC 9260 §3.3.8): the sender's cumulative TSN ack.</summary>
internal readonly struct ShutdownChunk
{
    /// <summary>Length of the chunk value.</summary>
    public const int ValueLength = 4;

    private ShutdownChunk(uint cumulativeTsnAck) => CumulativeTsnAck = cumulativeTsnAck;

    /// <summary>The last TSN the sender received in sequence.</summary>
    public uint CumulativeTsnAck { get; }

    /// <summary>Parses the chunk value; false when it is shorter than 4 bytes.</summary>
    public static bool TryParse(ReadOnlySpan<byte> value, out ShutdownChunk shutdown)
    {
        if (value.Length < ValueLength)
        {
            shutdown = default;
            return false;
        }

        shutdown = new ShutdownChunk(BinaryPrimitives.ReadUInt32BigEndian(value));
        return true;
    }

    /// <summary>Writes a SHUTDOWN chunk.</summary>
    public static void Write(ref SctpPacketWriter writer, uint cumulativeTsnAck)
    {
        writer.BeginChunk(SctpChunkType.Shutdown, 0);
        writer.WriteUInt32(cumulativeTsnAck);
        writer.EndChunk();
    }
}
