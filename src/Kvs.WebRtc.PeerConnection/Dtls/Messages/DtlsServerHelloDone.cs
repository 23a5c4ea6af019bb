namespace Kvs.WebRtc.PeerConnection.Dtls.Messages;

/// <summary>The ServerHelloDone body (RFC 5246 §7.4.5): always empty.</summary>
internal static class DtlsServerHelloDone
{
    /// <summary>Whether <paramref name="body"/> is a valid ServerHelloDone (empty).</summary>
    public static bool TryParse(ReadOnlySpan<byte> body) => body.IsEmpty;
}
