namespace Kvs.WebRtc.PeerConnection.Sctp;

/// <summary>
/// A HEARTBEAT or HEARTBEAT-ACK chunk value (RFC 9260 §3.3.5, §3.3.6): one Heartbeat Information parameter whose
/// bytes only the sender interprets; the receiver echoes them unchanged.
/// </summary>
internal readonly ref struct HeartbeatChunk
{
    private HeartbeatChunk(ReadOnlySpan<byte> info) => Info = info;

    /// <summary>The Heartbeat Information parameter's value.</summary>
    public ReadOnlySpan<byte> Info { get; }

    /// <summary>Parses the chunk value; false when the first parameter is missing, malformed or not Heartbeat Info.</summary>
    public static bool TryParse(ReadOnlySpan<byte> value, out HeartbeatChunk heartbeat)
    {
        heartbeat = default;
        var reader = new SctpParameterReader(value);
        if (!reader.TryReadNext(out var type, out var info) || type != (ushort)SctpParameterType.HeartbeatInfo)
        {
            return false;
        }

        heartbeat = new HeartbeatChunk(info);
        return true;
    }

    /// <summary>Writes a HEARTBEAT (<paramref name="type"/> <see cref="SctpChunkType.Heartbeat"/>) or its ACK.</summary>
    public static void Write(ref SctpPacketWriter writer, SctpChunkType type, scoped ReadOnlySpan<byte> info)
    {
        writer.BeginChunk(type, 0);
        writer.WriteParameter((ushort)SctpParameterType.HeartbeatInfo, info);
        writer.EndChunk();
    }
}
