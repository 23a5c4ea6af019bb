namespace Kvs.WebRtc.PeerConnection.Sctp;

/// <summary>A COOKIE-ECHO chunk (RFC 9260 §3.3.11): the State Cookie of the INIT-ACK, returned unchanged.</summary>
internal readonly ref struct CookieEchoChunk
{
    private CookieEchoChunk(ReadOnlySpan<byte> cookie) => Cookie = cookie;

    /// <summary>The cookie bytes.</summary>
    public ReadOnlySpan<byte> Cookie { get; }

    /// <summary>Parses the chunk value; false when it is empty.</summary>
    public static bool TryParse(ReadOnlySpan<byte> value, out CookieEchoChunk echo)
    {
        echo = value.IsEmpty ? default : new CookieEchoChunk(value);
        return !value.IsEmpty;
    }

    /// <summary>Writes a COOKIE-ECHO chunk.</summary>
    public static void Write(ref SctpPacketWriter writer, scoped ReadOnlySpan<byte> cookie)
    {
        writer.BeginChunk(SctpChunkType.CookieEcho, 0);
        writer.WriteBytes(cookie);
        writer.EndChunk();
    }
}
