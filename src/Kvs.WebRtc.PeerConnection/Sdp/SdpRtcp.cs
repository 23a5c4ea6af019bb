namespace Kvs.WebRtc.PeerConnection.Sdp;

/// <summary><c>a=rtcp:&lt;port&gt; [&lt;nettype&gt; &lt;addrtype&gt; &lt;address&gt;]</c> (RFC 3605).</summary>
internal sealed record SdpRtcp(int Port, SdpConnection? Address = null)
{
    public static bool TryParse(string? value, out SdpRtcp? rtcp)
    {
        rtcp = null;
        if (value is null)
        {
            return false;
        }

        var f = SdpSyntax.SplitFields(value);
        if ((f.Length != 1 && f.Length != 4) || !SdpSyntax.TryParseInt(f[0], 0, 65535, out var port))
        {
            return false;
        }

        rtcp = new SdpRtcp(port, f.Length == 4 ? new SdpConnection(f[1], f[2], f[3]) : null);
        return true;
    }

    public string ToSdpValue() => Address is null ? SdpSyntax.Format(Port) : $"{SdpSyntax.Format(Port)} {Address.ToSdpValue()}";
}
