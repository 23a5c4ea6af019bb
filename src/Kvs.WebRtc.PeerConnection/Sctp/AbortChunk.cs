namespace Kvs.WebRtc.PeerConnection.Sctp;

/// <summary>
/// An ABORT chunk (RFC 9260 §3.3.7): zero or more error causes; flag T (bit 0) says the verification tag is the
/// receiver's own (reflected) rather than the peer's.
/// </summary>
internal readonly ref struct AbortChunk
{
    /// <summary>The T bit (RFC 9260 §3.3.7).</summary>
    public const byte FlagTagReflected = 1;

    private AbortChunk(bool hasCause, ushort cause, ReadOnlySpan<byte> causeInfo)
    {
        HasCause = hasCause;
        Cause = cause;
        CauseInfo = causeInfo;
    }

    /// <summary>True when the chunk carries at least one well-formed error cause.</summary>
    public bool HasCause { get; }

    /// <summary>Code of the first error cause (see <see cref="SctpErrorCause"/>); 0 when none.</summary>
    public ushort Cause { get; }

    /// <summary>Information of the first error cause.</summary>
    public ReadOnlySpan<byte> CauseInfo { get; }

    /// <summary>Parses the chunk value. Never fails: an ABORT ends the association whatever its causes say.</summary>
    public static AbortChunk Parse(ReadOnlySpan<byte> value)
    {
        var reader = new SctpParameterReader(value);
        return reader.TryReadNext(out var cause, out var info) ? new AbortChunk(true, cause, info) : default;
    }

    /// <summary>Writes an ABORT with one error cause.</summary>
    public static void Write(ref SctpPacketWriter writer, SctpErrorCause cause, scoped ReadOnlySpan<byte> causeInfo)
    {
        writer.BeginChunk(SctpChunkType.Abort, 0);
        writer.WriteParameter((ushort)cause, causeInfo);
        writer.EndChunk();
    }
}
