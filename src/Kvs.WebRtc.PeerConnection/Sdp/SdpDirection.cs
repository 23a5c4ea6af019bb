namespace Kvs.WebRtc.PeerConnection.Sdp;

/// <summary>The media direction attributes (RFC 8866 section 6.7; RFC 3264 section 6.1 for answers).</summary>
internal enum SdpDirection
{
    SendRecv,
    SendOnly,
    RecvOnly,
    Inactive,
}
