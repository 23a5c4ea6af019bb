namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>Why a candidate line was rejected by <see cref="IceCandidate.TryParse(string?, out IceCandidate?, out IceCandidateParseError)"/>.</summary>
internal enum IceCandidateParseError
{
    /// <summary>Parsed.</summary>
    None,

    /// <summary>Null, empty or longer than <see cref="IceCandidate.MaxLineLength"/>.</summary>
    BadLength,

    /// <summary>Missing the <c>candidate:</c> prefix.</summary>
    MissingPrefix,

    /// <summary>Fewer fields than the mandatory eight.</summary>
    TooFewFields,

    /// <summary>The foundation is not 1 to 32 ice-chars.</summary>
    BadFoundation,

    /// <summary>The component id is not 1 to 256.</summary>
    BadComponent,

    /// <summary>The transport is neither <c>udp</c> nor <c>tcp</c>.</summary>
    UnsupportedTransport,

    /// <summary>The priority is not 1 to 2^31-1.</summary>
    BadPriority,

    /// <summary>The connection address is neither an IP literal nor a host name.</summary>
    BadAddress,

    /// <summary>The port is not 0 to 65535.</summary>
    BadPort,

    /// <summary>The <c>typ</c> keyword or its value is missing or unknown.</summary>
    BadType,

    /// <summary><c>raddr</c>/<c>rport</c> malformed.</summary>
    BadRelatedAddress,

    /// <summary><c>tcptype</c> malformed.</summary>
    BadTcpType,

    /// <summary>An extension name without a value, a bad token, or too many extensions.</summary>
    BadExtension,
}
