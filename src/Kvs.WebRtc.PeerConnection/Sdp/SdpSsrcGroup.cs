namespace Kvs.WebRtc.PeerConnection.Sdp;

/// <summary><c>a=ssrc-group:&lt;semantics&gt; &lt;ssrc&gt;...</c> (RFC 5576 section 4.2), e.g. <c>FID 1 2</c>.</summary>
internal sealed record SdpSsrcGroup(string Semantics, IReadOnlyList<uint> Ssrcs)
{
    public static bool TryParse(string? value, out SdpSsrcGroup? group)
    {
        group = null;
        if (value is null)
        {
            return false;
        }

        var f = SdpSyntax.SplitFields(value);
        if (f.Length < 1 || !SdpSyntax.IsToken(f[0]))
        {
            return false;
        }

        var ssrcs = new uint[f.Length - 1];
        for (var i = 1; i < f.Length; i++)
        {
            if (!SdpSyntax.TryParseUInt32(f[i], out ssrcs[i - 1]))
            {
                return false;
            }
        }

        group = new SdpSsrcGroup(f[0], ssrcs);
        return true;
    }

    public string ToSdpValue() =>
        Ssrcs.Count == 0 ? Semantics : $"{Semantics} {string.Join(' ', Ssrcs.Select(SdpSyntax.Format))}";
}
