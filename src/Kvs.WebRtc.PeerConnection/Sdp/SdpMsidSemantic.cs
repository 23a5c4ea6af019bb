namespace Kvs.WebRtc.PeerConnection.Sdp;

/// <summary>
/// <c>a=msid-semantic:&lt;semantic&gt; [&lt;id&gt;...]</c> (draft-ietf-mmusic-msid; Chromium writes <c>a=msid-semantic: WMS</c>
/// with a leading space, Firefox <c>a=msid-semantic:WMS *</c>). Leading whitespace is ignored when parsing.
/// </summary>
internal sealed record SdpMsidSemantic(string Semantic, IReadOnlyList<string> Identifiers)
{
    public static bool TryParse(string? value, out SdpMsidSemantic? semantic)
    {
        semantic = null;
        if (value is null)
        {
            return false;
        }

        var f = SdpSyntax.SplitFields(value);
        if (f.Length == 0 || !SdpSyntax.IsToken(f[0]))
        {
            return false;
        }

        semantic = new SdpMsidSemantic(f[0], f[1..]);
        return true;
    }
}
