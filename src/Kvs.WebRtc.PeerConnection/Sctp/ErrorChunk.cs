using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Sctp;

/// <summary>An OPERATION ERROR chunk (RFC 9260 §3.3.10): one or more error causes reporting a non-fatal problem.</summary>
internal readonly ref struct ErrorChunk
{
    private ErrorChunk(ushort cause, ReadOnlySpan<byte> causeInfo)
    {
        Cause = cause;
        CauseInfo = causeInfo;
    }

    /// <summary>Code of the first error cause (see <see cref="SctpErrorCause"/>).</summary>
    public ushort Cause { get; }

    /// <summary>Information of the first error cause.</summary>
    public ReadOnlySpan<byte> CauseInfo { get; }

    /// <summary>Parses the chunk value; false when it holds no well-formed error cause.</summary>
    public static bool TryParse(ReadOnlySpan<byte> value, out ErrorChunk error)
    {
        error = default;
        var reader = new SctpParameterReader(value);
        if (!reader.TryReadNext(out var cause, out var info))
        {
            return false;
        }

        error = new ErrorChunk(cause, info);
        return true;
    }

    /// <summary>
    /// Writes an ERROR with an Unrecognized Chunk Type cause (RFC 9260 §3.3.10.6) quoting the header of the chunk
    /// (type, flags, length) that was not understood.
    /// </summary>
    public static void WriteUnrecognizedChunk(ref SctpPacketWriter writer, byte chunkType, byte chunkFlags, int chunkValueLength)
    {
        writer.BeginChunk(SctpChunkType.Error, 0);
        Span<byte> header = stackalloc byte[SctpPacket.ChunkHeaderLength];
        header[0] = chunkType;
        header[1] = chunkFlags;
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)(chunkValueLength + SctpPacket.ChunkHeaderLength));
        writer.WriteParameter((ushort)SctpErrorCause.UnrecognizedChunkType, header);
        writer.EndChunk();
    }
}
