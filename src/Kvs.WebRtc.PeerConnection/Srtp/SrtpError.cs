namespace Kvs.WebRtc.PeerConnection.Srtp;

/// <summary>Outcome of an SRTP/SRTCP protect or unprotect call; anything but <see cref="None"/> means the packet must be dropped.</summary>
internal enum SrtpError
{
    /// <summary>Success.</summary>
    None = 0,

    /// <summary>The packet is too short or its header is not RTP/RTCP version 2.</summary>
    Malformed,

    /// <summary>The destination buffer has no room for the authentication tag (and SRTCP index).</summary>
    BufferTooSmall,

    /// <summary>The authentication tag did not verify (RFC 3711 §3.3 step 5).</summary>
    AuthenticationFailed,

    /// <summary>The packet index was already seen or is older than the replay window (RFC 3711 §3.3.2).</summary>
    Replayed,

    /// <summary>Too many SSRCs are being tracked; the packet's stream was not admitted.</summary>
    TooManyStreams,
}
