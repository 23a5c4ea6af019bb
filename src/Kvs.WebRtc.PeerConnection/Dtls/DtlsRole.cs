namespace Kvs.WebRtc.PeerConnection.Dtls;

/// <summary>
/// Which side of the DTLS handshake this endpoint plays. In WebRTC the SDP <c>a=setup</c> attribute decides it
/// (RFC 8842 §5): <c>active</c> is the client, <c>passive</c> is the server.
/// </summary>
internal enum DtlsRole
{
    /// <summary>Sends the ClientHello.</summary>
    Client,

    /// <summary>Waits for a ClientHello and answers with a HelloVerifyRequest cookie first.</summary>
    Server,
}
