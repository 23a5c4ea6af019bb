namespace Kvs.WebRtc.PeerConnection.Sdp;

/// <summary><c>a=rtpmap:&lt;pt&gt; &lt;encoding&gt;/&lt;clock-rate&gt;[/&lt;channels&gt;]</c> (RFC 8866 section 6.6).</summary>
internal sealed record SdpRtpMap(int PayloadType, string EncodingName, int ClockRate, int? Channels = null)
{
    public static bool TryParse(string? value, out SdpRtpMap? map)
    {
        map = null;
        if (value is null)
        {
            return false;
        }

        var f = SdpSyntax.SplitFields(value);
        if (f.Length != 2 || !SdpSyntax.TryParseInt(f[0], 0, 127, out var pt))
        {
            return false;
        }

        var parts = f[1].Split('/');
        if (parts.Length is < 2 or > 3 || !SdpSyntax.IsToken(parts[0]) || !SdpSyntax.TryParseInt(parts[1], 0, int.MaxValue, out var clock))
        {
            return false;
        }

        int? channels = null;
        if (parts.Length == 3)
        {
            if (!SdpSyntax.TryParseInt(parts[2], 0, 255, out var ch))
            {
                return false;
            }

            channels = ch;
        }

        map = new SdpRtpMap(pt, parts[0], clock, channels);
        return true;
    }

    public string ToSdpValue() => Channels is { } ch
        ? $"{SdpSyntax.Format(PayloadType)} {EncodingName}/{SdpSyntax.Format(ClockRate)}/{SdpSyntax.Format(ch)}"
        : $"{SdpSyntax.Format(PayloadType)} {EncodingName}/{SdpSyntax.Format(ClockRate)}";
}
