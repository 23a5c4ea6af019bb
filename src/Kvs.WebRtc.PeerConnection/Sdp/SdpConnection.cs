namespace Kvs.WebRtc.PeerConnection.Sdp;

/// <summary>The <c>c=</c> line (RFC 8866 section 5.7): <c>nettype addrtype connection-address</c>.</summary>
internal sealed record SdpConnection(string NetworkType, string AddressType, string Address)
{
    /// <summary>The WebRTC placeholder <c>IN IP4 0.0.0.0</c> (RFC 8829 section 5.2.1).</summary>
    public static SdpConnection Placeholder { get; } = new("IN", "IP4", "0.0.0.0");

    public static bool TryParse(string? value, out SdpConnection? connection)
    {
        connection = null;
        if (value is null)
        {
            return false;
        }

        var f = SdpSyntax.SplitFields(value);
        if (f.Length != 3)
        {
            return false;
        }

        connection = new SdpConnection(f[0], f[1], f[2]);
        return true;
    }

    public string ToSdpValue() => $"{NetworkType} {AddressType} {Address}";
}
