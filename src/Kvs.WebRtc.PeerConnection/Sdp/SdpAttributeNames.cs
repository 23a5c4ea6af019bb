namespace Kvs.WebRtc.PeerConnection.Sdp;

/// <summary>Attribute names WebRTC uses (RFC 8866, 8829, 8839, 8841, 8842, 8843, 8830, 8285, 5576, 4585, 8851, 8853).</summary>
internal static class SdpAttributeNames
{
    public const string Group = "group";
    public const string MsidSemantic = "msid-semantic";
    public const string Mid = "mid";
    public const string IceUfrag = "ice-ufrag";
    public const string IcePwd = "ice-pwd";
    public const string IceOptions = "ice-options";
    public const string IceLite = "ice-lite";
    public const string Fingerprint = "fingerprint";
    public const string Setup = "setup";
    public const string Rtcp = "rtcp";
    public const string RtcpMux = "rtcp-mux";
    public const string RtcpMuxOnly = "rtcp-mux-only";
    public const string RtcpRsize = "rtcp-rsize";
    public const string SctpPort = "sctp-port";
    public const string MaxMessageSize = "max-message-size";
    public const string SctpMap = "sctpmap";
    public const string RtpMap = "rtpmap";
    public const string Fmtp = "fmtp";
    public const string RtcpFb = "rtcp-fb";
    public const string ExtMap = "extmap";
    public const string ExtMapAllowMixed = "extmap-allow-mixed";
    public const string Ssrc = "ssrc";
    public const string SsrcGroup = "ssrc-group";
    public const string Msid = "msid";
    public const string SendRecv = "sendrecv";
    public const string SendOnly = "sendonly";
    public const string RecvOnly = "recvonly";
    public const string Inactive = "inactive";
    public const string Candidate = "candidate";
    public const string EndOfCandidates = "end-of-candidates";
    public const string Rid = "rid";
    public const string Simulcast = "simulcast";
}
