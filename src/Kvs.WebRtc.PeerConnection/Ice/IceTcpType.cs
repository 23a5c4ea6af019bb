namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>The <c>tcptype</c> of a TCP candidate (RFC 6544 §4.5).</summary>
internal enum IceTcpType
{
    /// <summary>No <c>tcptype</c> (UDP candidates).</summary>
    None,

    /// <summary><c>active</c>: opens outgoing connections.</summary>
    Active,

    /// <summary><c>passive</c>: accepts incoming connections.</summary>
    Passive,

    /// <summary><c>so</c>: simultaneous open.</summary>
    SimultaneousOpen,
}
