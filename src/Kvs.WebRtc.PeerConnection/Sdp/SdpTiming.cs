namespace Kvs.WebRtc.PeerConnection.Sdp;

/// <summary>The <c>t=</c> line (RFC 8866 section 5.9); WebRTC always uses <c>t=0 0</c>.</summary>
internal sealed record SdpTiming(ulong Start, ulong Stop)
{
    public static bool TryParse(string? value, out SdpTiming? timing)
    {
        timing = null;
        if (value is null)
        {
            return false;
        }

        var f = SdpSyntax.SplitFields(value);
        if (f.Length != 2 || !SdpSyntax.TryParseUInt64(f[0], out var start) || !SdpSyntax.TryParseUInt64(f[1], out var stop))
        {
            return false;
        }

        timing = new SdpTiming(start, stop);
        return true;
    }

    public string ToSdpValue() => $"{SdpSyntax.Format(Start)} {SdpSyntax.Format(Stop)}";
}
