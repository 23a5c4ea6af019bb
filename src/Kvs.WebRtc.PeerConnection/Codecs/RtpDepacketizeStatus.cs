namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>What <see cref="RtpDepacketizer.Append"/> did with one payload.</summary>
internal enum RtpDepacketizeStatus
{
    /// <summary>The payload's content was appended to the frame.</summary>
    Ok,

    /// <summary>The payload carries nothing for the frame (e.g. a reserved NAL type); the frame goes on.</summary>
    Skipped,

    /// <summary>The payload could not be parsed; the packet and its frame are dropped.</summary>
    Malformed,

    /// <summary>A valid but unsupported packetization (H.264 STAP-B, MTAP, FU-B); the packet and its frame are dropped.</summary>
    Unsupported,

    /// <summary>A fragment whose start was not seen, or a fragment sequence broken off; the frame is dropped.</summary>
    FragmentWithoutStart,
}
