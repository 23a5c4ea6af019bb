namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>The scheme of an ICE server URI.</summary>
internal enum IceServerScheme
{
    /// <summary><c>stun:</c> (RFC 7064), default port 3478.</summary>
    Stun,

    /// <summary><c>stuns:</c> (RFC 7064), STUN over TLS, default port 5349.</summary>
    Stuns,

    /// <summary><c>turn:</c> (RFC 7065), default port 3478.</summary>
    Turn,

    /// <summary><c>turns:</c> (RFC 7065), TURN over TLS, default port 5349.</summary>
    Turns,
}
