namespace Kvs.WebRtc.PeerConnection.Sdp;

/// <summary><c>a=msid:&lt;stream-id&gt; [&lt;track-id&gt;]</c> (RFC 8830 section 2); stream id <c>-</c> means no stream.</summary>
internal sealed record SdpMsid(string StreamId, string? TrackId = null)
{
    public static bool TryParse(string? value, out SdpMsid? msid)
    {
        msid = null;
        if (value is null)
        {
            return false;
        }

        var f = SdpSyntax.SplitFields(value);
        if (f.Length is < 1 or > 2)
        {
            return false;
        }

        msid = new SdpMsid(f[0], f.Length == 2 ? f[1] : null);
        return true;
    }

    public string ToSdpValue() => TrackId is null ? StreamId : $"{StreamId} {TrackId}";
}
