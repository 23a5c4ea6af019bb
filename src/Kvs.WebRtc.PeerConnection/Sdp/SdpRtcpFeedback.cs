namespace Kvs.WebRtc.PeerConnection.Sdp;

/// <summary>
/// <c>a=rtcp-fb:&lt;pt|*&gt; &lt;type&gt; [&lt;parameter&gt;]</c> (RFC 4585 section 4.2), e.g. <c>96 nack pli</c>.
/// <see cref="PayloadType"/> is null for the wildcard <c>*</c>.
/// </summary>
internal sealed record SdpRtcpFeedback(int? PayloadType, string Type, string? Parameter = null)
{
    public static bool TryParse(string? value, out SdpRtcpFeedback? feedback)
    {
        feedback = null;
        if (value is null)
        {
            return false;
        }

        var f = SdpSyntax.SplitFields(value, 3);
        if (f.Length < 2 || !SdpSyntax.IsToken(f[1]))
        {
            return false;
        }

        int? pt = null;
        if (f[0] != "*")
        {
            if (!SdpSyntax.TryParseInt(f[0], 0, 127, out var parsed))
            {
                return false;
            }

            pt = parsed;
        }

        feedback = new SdpRtcpFeedback(pt, f[1], f.Length == 3 ? f[2] : null);
        return true;
    }

    public string ToSdpValue()
    {
        var pt = PayloadType is { } p ? SdpSyntax.Format(p) : "*";
        return Parameter is null ? $"{pt} {Type}" : $"{pt} {Type} {Parameter}";
    }
}
