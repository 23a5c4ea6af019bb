namespace Kvs.WebRtc.PeerConnection.Sdp;

/// <summary>
/// <c>a=extmap:&lt;id&gt;[/&lt;direction&gt;] &lt;uri&gt; [&lt;attributes&gt;]</c> (RFC 8285 section 8): an RTP header
/// extension and the id it uses.
/// </summary>
internal sealed record SdpExtMap(int Id, string Uri, SdpDirection? Direction = null, string? Attributes = null)
{
    public static bool TryParse(string? value, out SdpExtMap? extMap)
    {
        extMap = null;
        if (value is null)
        {
            return false;
        }

        var f = SdpSyntax.SplitFields(value, 3);
        if (f.Length < 2 || !SdpSyntax.IsVisibleWord(f[1]))
        {
            return false;
        }

        var idText = f[0];
        SdpDirection? direction = null;
        var slash = idText.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            if (!SdpEnumText.TryParseDirection(idText.AsSpan(slash + 1), out var d))
            {
                return false;
            }

            direction = d;
            idText = idText[..slash];
        }

        // RFC 8285: 1-14 one-byte, 1-255 two-byte; 4096-4351 were the legacy range.
        if (!SdpSyntax.TryParseInt(idText, 1, 4351, out var id))
        {
            return false;
        }

        extMap = new SdpExtMap(id, f[1], direction, f.Length == 3 ? f[2] : null);
        return true;
    }

    public string ToSdpValue()
    {
        var id = Direction is { } d ? $"{SdpSyntax.Format(Id)}/{SdpEnumText.Format(d)}" : SdpSyntax.Format(Id);
        return Attributes is null ? $"{id} {Uri}" : $"{id} {Uri} {Attributes}";
    }
}
