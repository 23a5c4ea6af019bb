namespace Kvs.WebRtc.PeerConnection.Sdp;

/// <summary>The <c>o=</c> line (RFC 8866 section 5.2): <c>username sess-id sess-version nettype addrtype address</c>.</summary>
internal sealed record SdpOrigin(string Username, string SessionId, ulong SessionVersion, string NetworkType, string AddressType, string Address)
{
    public static bool TryParse(string? value, out SdpOrigin? origin)
    {
        origin = null;
        if (value is null)
        {
            return false;
        }

        var f = SdpSyntax.SplitFields(value);
        if (f.Length != 6 || !SdpSyntax.IsDigits(f[1]) || f[1].Length > 20 || !SdpSyntax.TryParseUInt64(f[2], out var version))
        {
            return false;
        }

        origin = new SdpOrigin(f[0], f[1], version, f[3], f[4], f[5]);
        return true;
    }

    public string ToSdpValue() => $"{Username} {SessionId} {SdpSyntax.Format(SessionVersion)} {NetworkType} {AddressType} {Address}";
}
