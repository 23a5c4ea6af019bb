namespace Kvs.WebRtc.PeerConnection.Sdp;

/// <summary>
/// Checks the syntax of the lines and attributes WebRTC relies on. Returns null when valid, otherwise a short reason
/// that never quotes the value (it may be an ICE password). Unknown attributes are only checked for a token name.
/// </summary>
internal static class SdpValidator
{
    /// <summary>Checks an m= line value.</summary>
    public static string? ValidateMediaLine(string value)
    {
        var f = SdpSyntax.SplitFields(value);
        if (f.Length < 4)
        {
            return "an m= line needs media, port, protocol and at least one format";
        }

        if (f.Length - 3 > SdpLimits.MaxFormats)
        {
            return "too many formats on the m= line";
        }

        if (!SdpSyntax.IsToken(f[0]))
        {
            return "invalid media type";
        }

        var port = f[1];
        var slash = port.IndexOf('/', StringComparison.Ordinal);
        var portNumber = slash < 0 ? port.AsSpan() : port.AsSpan(0, slash);
        if (!SdpSyntax.TryParseInt(portNumber, 0, 65535, out _)
            || (slash >= 0 && !SdpSyntax.TryParseInt(port.AsSpan(slash + 1), 1, 65535, out _)))
        {
            return "invalid port";
        }

        foreach (var part in f[2].Split('/'))
        {
            if (!SdpSyntax.IsToken(part))
            {
                return "invalid protocol";
            }
        }

        for (var i = 3; i < f.Length; i++)
        {
            if (!SdpSyntax.IsToken(f[i]))
            {
                return "invalid format";
            }
        }

        return null;
    }

    /// <summary>Checks one non-m= line, by type.</summary>
    public static string? ValidateLine(SdpLine line) => line.Type switch
    {
        'v' => line.Value == "0" ? null : "unsupported protocol version (only v=0)",
        'o' => SdpOrigin.TryParse(line.Value, out _) ? null : "invalid o= line",
        'c' => SdpConnection.TryParse(line.Value, out _) ? null : "invalid c= line",
        'b' => SdpBandwidth.TryParse(line.Value, out _) ? null : "invalid b= line",
        't' => SdpTiming.TryParse(line.Value, out _) ? null : "invalid t= line",
        'a' => ValidateAttribute(line),
        _ => null,
    };

    /// <summary>Checks an a= line.</summary>
    public static string? ValidateAttribute(SdpLine line)
    {
        var name = line.AttributeName;
        if (!SdpSyntax.IsToken(name))
        {
            return "invalid attribute name";
        }

        var value = line.AttributeValue;
        switch (name.ToLowerInvariant())
        {
            case SdpAttributeNames.Group:
                return Check(SdpGroup.TryParse(value, out _), "invalid a=group");
            case SdpAttributeNames.MsidSemantic:
                return Check(SdpMsidSemantic.TryParse(value, out _), "invalid a=msid-semantic");
            case SdpAttributeNames.Mid:
                return Check(value is not null && SdpSyntax.IsVisibleWord(value.Trim()) && value.Trim().Length <= 256, "invalid a=mid");
            case SdpAttributeNames.IceUfrag:
                return Check(value is not null && SdpSyntax.IsVisibleWord(value.Trim()) && value.Trim().Length <= 256, "invalid a=ice-ufrag");
            case SdpAttributeNames.IcePwd:
                return Check(value is not null && SdpSyntax.IsVisibleWord(value.Trim()) && value.Trim().Length <= 256, "invalid a=ice-pwd");
            case SdpAttributeNames.IceOptions:
                return Check(value is not null && SdpSyntax.SplitFields(value).All(t => SdpSyntax.IsToken(t)), "invalid a=ice-options");
            case SdpAttributeNames.Fingerprint:
                return Check(SdpFingerprint.TryParse(value, out _), "invalid a=fingerprint");
            case SdpAttributeNames.Setup:
                return Check(value is not null && SdpEnumText.TryParseSetup(value, out _), "invalid a=setup");
            case SdpAttributeNames.Rtcp:
                return Check(SdpRtcp.TryParse(value, out _), "invalid a=rtcp");
            case SdpAttributeNames.SctpPort:
                return Check(value is not null && SdpSyntax.TryParseInt(value.Trim(), 0, 65535, out _), "invalid a=sctp-port");
            case SdpAttributeNames.MaxMessageSize:
                return Check(value is not null && SdpSyntax.TryParseUInt64(value.Trim(), out _), "invalid a=max-message-size");
            case SdpAttributeNames.SctpMap:
                return Check(SdpSctpMap.TryParse(value, out _), "invalid a=sctpmap");
            case SdpAttributeNames.RtpMap:
                return Check(SdpRtpMap.TryParse(value, out _), "invalid a=rtpmap");
            case SdpAttributeNames.Fmtp:
                return Check(SdpFmtp.TryParse(value, out _), "invalid a=fmtp");
            case SdpAttributeNames.RtcpFb:
                return Check(SdpRtcpFeedback.TryParse(value, out _), "invalid a=rtcp-fb");
            case SdpAttributeNames.ExtMap:
                return Check(SdpExtMap.TryParse(value, out _), "invalid a=extmap");
            case SdpAttributeNames.Ssrc:
                return Check(SdpSsrc.TryParse(value, out _), "invalid a=ssrc");
            case SdpAttributeNames.SsrcGroup:
                return Check(SdpSsrcGroup.TryParse(value, out _), "invalid a=ssrc-group");
            case SdpAttributeNames.Msid:
                return Check(SdpMsid.TryParse(value, out _), "invalid a=msid");
            case SdpAttributeNames.Candidate:
                return Check(!string.IsNullOrWhiteSpace(value), "empty a=candidate");
            default:
                return null;
        }
    }

    private static string? Check(bool ok, string reason) => ok ? null : reason;
}
