namespace Kvs.WebRtc.PeerConnection.Sdp;

/// <summary><c>a=ssrc:&lt;ssrc&gt; &lt;attribute&gt;[:&lt;value&gt;]</c> (RFC 5576 section 4.1), e.g. <c>1234 cname:abc</c>.</summary>
internal sealed record SdpSsrc(uint Ssrc, string Attribute, string? Value = null)
{
    public static bool TryParse(string? value, out SdpSsrc? ssrc)
    {
        ssrc = null;
        if (value is null)
        {
            return false;
        }

        var space = value.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0 || !SdpSyntax.TryParseUInt32(value.AsSpan(0, space), out var id))
        {
            return false;
        }

        var rest = value[(space + 1)..];
        var colon = rest.IndexOf(':', StringComparison.Ordinal);
        var name = colon < 0 ? rest : rest[..colon];
        if (!SdpSyntax.IsToken(name))
        {
            return false;
        }

        ssrc = new SdpSsrc(id, name, colon < 0 ? null : rest[(colon + 1)..]);
        return true;
    }

    public string ToSdpValue() => Value is null ? $"{SdpSyntax.Format(Ssrc)} {Attribute}" : $"{SdpSyntax.Format(Ssrc)} {Attribute}:{Value}";
}
