namespace Kvs.WebRtc.PeerConnection.Sctp;

/// <summary>One chunk of a received packet: type, flags and the value after the 4-byte chunk header.</summary>
/// <remarks>RFC 9260 §3.2. The value excludes padding.</remarks>
internal readonly ref struct SctpChunk
{
    public SctpChunk(byte type, byte flags, ReadOnlySpan<byte> value)
    {
        RawType = type;
        Flags = flags;
        Value = value;
    }

    public byte RawType { get; }

    public SctpChunkType Type => (SctpChunkType)RawType;

    public byte Flags { get; }

    public ReadOnlySpan<byte> Value { get; }
}
