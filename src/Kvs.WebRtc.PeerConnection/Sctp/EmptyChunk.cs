namespace Kvs.WebRtc.PeerConnection.Sctp;

/// <summary>
/// The chunks that are a bare header: COOKIE-ACK (RFC 9260 §3.3.12), SHUTDOWN-ACK (§3.3.9) and SHUTDOWN-COMPLETE
/// (§3.3.13, whose T flag is <see cref="AbortChunk.FlagTagReflected"/>). Their value is ignored on receipt.
/// </summary>
internal static class EmptyChunk
{
    /// <summary>Writes a chunk of <paramref name="type"/> with no value.</summary>
    public static void Write(ref SctpPacketWriter writer, SctpChunkType type, byte flags = 0)
    {
        writer.BeginChunk(type, flags);
        writer.EndChunk();
    }
}
