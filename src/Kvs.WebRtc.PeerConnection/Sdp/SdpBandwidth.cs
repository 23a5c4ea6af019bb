namespace Kvs.WebRtc.PeerConnection.Sdp;

/// <summary>A <c>b=</c> line (RFC 8866 section 5.8): <c>bwtype:bandwidth</c>, e.g. <c>AS:2000</c> or <c>TIAS:2000000</c>.</summary>
internal sealed record SdpBandwidth(string Type, ulong Value)
{
    public static bool TryParse(string? value, out SdpBandwidth? bandwidth)
    {
        bandwidth = null;
        if (value is null)
        {
            return false;
        }

        var colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !SdpSyntax.IsToken(value.AsSpan(0, colon)) || !SdpSyntax.TryParseUInt64(value.AsSpan(colon + 1), out var amount))
        {
            return false;
        }

        bandwidth = new SdpBandwidth(value[..colon], amount);
        return true;
    }

    public string ToSdpValue() => $"{Type}:{SdpSyntax.Format(Value)}";
}
