namespace Kvs.WebRtc.PeerConnection.Sdp;

/// <summary><c>a=setup</c> (RFC 4145 section 4, RFC 8842): which side starts the DTLS handshake.</summary>
internal enum SdpSetup
{
    /// <summary><c>actpass</c>: the offerer lets the answerer choose.</summary>
    ActPass,

    /// <summary><c>active</c>: this side is the DTLS client.</summary>
    Active,

    /// <summary><c>passive</c>: this side is the DTLS server.</summary>
    Passive,

    /// <summary><c>holdconn</c>: no connection yet.</summary>
    HoldConn,
}
