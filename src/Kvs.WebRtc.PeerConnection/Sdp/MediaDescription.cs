namespace Kvs.WebRtc.PeerConnection.Sdp;

/// <summary>
/// One media section (RFC 8866 section 5.14): the <c>m=&lt;media&gt; &lt;port&gt; &lt;proto&gt; &lt;fmt&gt;...</c> line and
/// the lines that follow it, with typed views of the attributes WebRTC uses.
/// </summary>
internal sealed class MediaDescription : SdpSection
{
    /// <summary>The data channel protocol (RFC 8841): <c>UDP/DTLS/SCTP</c> with format <c>webrtc-datachannel</c>.</summary>
    public const string DataChannelProtocol = "UDP/DTLS/SCTP";

    /// <summary>The legacy data channel protocol: <c>DTLS/SCTP</c> with the SCTP port as format plus <c>a=sctpmap</c>.</summary>
    public const string LegacyDataChannelProtocol = "DTLS/SCTP";

    /// <summary>The RTP protocol of WebRTC audio/video (RFC 8829 section 5.1.2).</summary>
    public const string RtpProtocol = "UDP/TLS/RTP/SAVPF";

    /// <summary>The <c>m=application</c> format of data channels.</summary>
    public const string DataChannelFormat = "webrtc-datachannel";

    private string _mediaLine;

    /// <summary>Creates a section from its m= line fields.</summary>
    public MediaDescription(string media, int port, string protocol, IEnumerable<string> formats, int? portCount = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(media);
        ArgumentException.ThrowIfNullOrEmpty(protocol);
        ArgumentNullException.ThrowIfNull(formats);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        var list = formats.ToList();
        var portText = portCount is { } n ? $"{SdpSyntax.Format(port)}/{SdpSyntax.Format(n)}" : SdpSyntax.Format(port);
        var line = list.Count == 0 ? $"{media} {portText} {protocol}" : $"{media} {portText} {protocol} {string.Join(' ', list)}";
        if (SdpValidator.ValidateMediaLine(line) is { } reason)
        {
            throw new ArgumentException($"Invalid m= line: {reason}.", nameof(formats));
        }

        _mediaLine = line;
    }

    private MediaDescription(string mediaLine) => _mediaLine = mediaLine;

    /// <summary>The m= line value, verbatim.</summary>
    public string MediaLine => _mediaLine;

    /// <summary>The media type: <c>audio</c>, <c>video</c>, <c>application</c>, ...</summary>
    public string Media => Fields[0];

    /// <summary>The port; 0 marks a rejected or disabled section (RFC 3264 section 6); 9 is the WebRTC placeholder.</summary>
    public int Port
    {
        get
        {
            var text = Fields[1];
            var slash = text.IndexOf('/', StringComparison.Ordinal);
            _ = SdpSyntax.TryParseInt(slash < 0 ? text : text[..slash], 0, 65535, out var port);
            return port;
        }
    }

    /// <summary>The transport protocol, e.g. <c>UDP/TLS/RTP/SAVPF</c> or <c>UDP/DTLS/SCTP</c>.</summary>
    public string Protocol => Fields[2];

    /// <summary>The formats: payload type numbers for RTP, <c>webrtc-datachannel</c> (or the legacy SCTP port) for data.</summary>
    public IReadOnlyList<string> Formats => Fields[3..];

    /// <summary>The payload types of an RTP section (the numeric formats).</summary>
    public IReadOnlyList<int> PayloadTypes =>
        Formats.Select(f => SdpSyntax.TryParseInt(f, 0, 127, out var pt) ? pt : -1).Where(pt => pt >= 0).ToList();

    /// <summary>True for <c>m=application</c> with an SCTP protocol (current or legacy).</summary>
    public bool IsDataChannel =>
        Media == "application" && Protocol.EndsWith("SCTP", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when the port is 0 (a rejected or stopped section).</summary>
    public bool IsRejected => Port == 0;

    /// <summary><c>a=mid</c> (RFC 8843 / RFC 5888).</summary>
    public string? Mid => GetAttribute(SdpAttributeNames.Mid)?.Trim();

    /// <summary><c>a=rtcp</c>.</summary>
    public SdpRtcp? Rtcp => SdpRtcp.TryParse(GetAttribute(SdpAttributeNames.Rtcp), out var r) ? r : null;

    /// <summary><c>a=rtcp-mux</c> (RFC 5761).</summary>
    public bool RtcpMux => HasAttribute(SdpAttributeNames.RtcpMux);

    /// <summary><c>a=rtcp-rsize</c> (RFC 5506).</summary>
    public bool RtcpRsize => HasAttribute(SdpAttributeNames.RtcpRsize);

    /// <summary><c>a=sctp-port</c> (RFC 8841 section 5); for the legacy format, the <c>a=sctpmap</c> port.</summary>
    public int? SctpPort
    {
        get
        {
            if (GetAttribute(SdpAttributeNames.SctpPort) is { } v && SdpSyntax.TryParseInt(v.Trim(), 0, 65535, out var port))
            {
                return port;
            }

            return SctpMap?.Port;
        }
    }

    /// <summary><c>a=max-message-size</c> (RFC 8841 section 6); 0 means no limit. Null when absent (the default is 64 KiB).</summary>
    public ulong? MaxMessageSize =>
        GetAttribute(SdpAttributeNames.MaxMessageSize) is { } v && SdpSyntax.TryParseUInt64(v.Trim(), out var size) ? size : null;

    /// <summary>Legacy <c>a=sctpmap</c>.</summary>
    public SdpSctpMap? SctpMap => SdpSctpMap.TryParse(GetAttribute(SdpAttributeNames.SctpMap), out var m) ? m : null;

    /// <summary>Every <c>a=rtpmap</c>.</summary>
    public IReadOnlyList<SdpRtpMap> RtpMaps => Collect<SdpRtpMap>(SdpAttributeNames.RtpMap, SdpRtpMap.TryParse);

    /// <summary>Every <c>a=fmtp</c>.</summary>
    public IReadOnlyList<SdpFmtp> Fmtps => Collect<SdpFmtp>(SdpAttributeNames.Fmtp, SdpFmtp.TryParse);

    /// <summary>Every <c>a=rtcp-fb</c>.</summary>
    public IReadOnlyList<SdpRtcpFeedback> RtcpFeedbacks => Collect<SdpRtcpFeedback>(SdpAttributeNames.RtcpFb, SdpRtcpFeedback.TryParse);

    /// <summary>Every <c>a=ssrc</c>.</summary>
    public IReadOnlyList<SdpSsrc> Ssrcs => Collect<SdpSsrc>(SdpAttributeNames.Ssrc, SdpSsrc.TryParse);

    /// <summary>Every <c>a=ssrc-group</c>.</summary>
    public IReadOnlyList<SdpSsrcGroup> SsrcGroups => Collect<SdpSsrcGroup>(SdpAttributeNames.SsrcGroup, SdpSsrcGroup.TryParse);

    /// <summary>Every <c>a=msid</c>.</summary>
    public IReadOnlyList<SdpMsid> Msids => Collect<SdpMsid>(SdpAttributeNames.Msid, SdpMsid.TryParse);

    /// <summary>The text of every <c>a=candidate</c>, verbatim (the ICE layer parses it).</summary>
    public IReadOnlyList<string> Candidates => GetAttributes(SdpAttributeNames.Candidate);

    /// <summary>
    /// Every candidate as the W3C <c>RTCIceCandidate.candidate</c> string, i.e. <c>candidate:...</c> without <c>a=</c>
    /// (RFC 8839 section 5.1), verbatim.
    /// </summary>
    public IReadOnlyList<string> CandidateAttributes => Candidates.Select(c => SdpAttributeNames.Candidate + ":" + c).ToList();

    /// <summary><c>a=end-of-candidates</c> (RFC 8838 section 8.2).</summary>
    public bool EndOfCandidates => HasAttribute(SdpAttributeNames.EndOfCandidates);

    /// <summary>The rtpmap of a payload type, or null.</summary>
    public SdpRtpMap? GetRtpMap(int payloadType) => RtpMaps.FirstOrDefault(m => m.PayloadType == payloadType);

    /// <summary>The fmtp of a payload type, or null.</summary>
    public SdpFmtp? GetFmtp(int payloadType) => Fmtps.FirstOrDefault(f => f.PayloadType == payloadType);

    /// <summary>The rtcp-fb lines that apply to a payload type (its own and the wildcard ones).</summary>
    public IReadOnlyList<SdpRtcpFeedback> GetRtcpFeedbacks(int payloadType) =>
        RtcpFeedbacks.Where(f => f.PayloadType is null || f.PayloadType == payloadType).ToList();

    /// <summary>Sets <c>a=mid</c>.</summary>
    public void SetMid(string mid) => SetAttribute(SdpAttributeNames.Mid, mid);

    /// <summary>
    /// Appends <c>a=candidate:&lt;text&gt;</c>, before any <c>a=end-of-candidates</c>. Accepts the text after
    /// "candidate:" or the W3C form starting with "candidate:" (or "a=candidate:").
    /// </summary>
    public void AddCandidate(string candidate)
    {
        ArgumentException.ThrowIfNullOrEmpty(candidate);
        if (candidate.StartsWith("a=", StringComparison.Ordinal))
        {
            candidate = candidate[2..];
        }

        if (candidate.StartsWith(SdpAttributeNames.Candidate + ":", StringComparison.OrdinalIgnoreCase))
        {
            candidate = candidate[(SdpAttributeNames.Candidate.Length + 1)..];
        }

        var line = SdpLine.Attribute(SdpAttributeNames.Candidate, candidate);
        if (SdpValidator.ValidateAttribute(line) is { } reason)
        {
            throw new ArgumentException($"Invalid candidate: {reason}.", nameof(candidate));
        }

        var end = Lines.FindIndex(l => l.IsAttributeNamed(SdpAttributeNames.EndOfCandidates));
        Lines.Insert(end < 0 ? Lines.Count : end, line);
    }

    /// <summary>Marks gathering as complete with <c>a=end-of-candidates</c> (once).</summary>
    public void SetEndOfCandidates()
    {
        if (!EndOfCandidates)
        {
            Lines.Add(SdpLine.Attribute(SdpAttributeNames.EndOfCandidates, null));
        }
    }

    /// <summary>Changes the port of the m= line (0 rejects the section), keeping the other fields.</summary>
    public void SetPort(int port)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        var f = Fields;
        f[1] = SdpSyntax.Format(port);
        _mediaLine = string.Join(' ', f);
    }

    /// <summary>A summary without any attribute values (safe to log).</summary>
    public override string ToString() => $"m={Media} {SdpSyntax.Format(Port)} {Protocol} mid={Mid ?? "-"} ({SdpSyntax.Format(Lines.Count)} lines)";

    internal static MediaDescription FromParsedLine(string mediaLine) => new(mediaLine);

    private string[] Fields => SdpSyntax.SplitFields(_mediaLine);
}
