namespace Kvs.WebRtc.PeerConnection.Sdp;

/// <summary>
/// Legacy <c>a=sctpmap:&lt;port&gt; &lt;protocol&gt; [&lt;streams&gt;]</c> (draft-ietf-mmusic-sctp-sdp-05), used with
/// <c>m=application 9 DTLS/SCTP 5000</c> by older peers, e.g. <c>5000 webrtc-datachannel 1024</c>.
/// </summary>
internal sealed record SdpSctpMap(int Port, string Protocol, int? Streams = null)
{
    public static bool TryParse(string? value, out SdpSctpMap? map)
    {
        map = null;
        if (value is null)
        {
            return false;
        }

        var f = SdpSyntax.SplitFields(value);
        if (f.Length is < 2 or > 3 || !SdpSyntax.TryParseInt(f[0], 0, 65535, out var port) || !SdpSyntax.IsToken(f[1]))
        {
            return false;
        }

        int? streams = null;
        if (f.Length == 3)
        {
            if (!SdpSyntax.TryParseInt(f[2], 0, 65535, out var s))
            {
                return false;
            }

            streams = s;
        }

        map = new SdpSctpMap(port, f[1], streams);
        return true;
    }

    public string ToSdpValue() => Streams is { } s
        ? $"{SdpSyntax.Format(Port)} {Protocol} {SdpSyntax.Format(s)}"
        : $"{SdpSyntax.Format(Port)} {Protocol}";
}
