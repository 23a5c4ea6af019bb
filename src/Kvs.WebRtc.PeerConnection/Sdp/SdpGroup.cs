namespace Kvs.WebRtc.PeerConnection.Sdp;

/// <summary><c>a=group:&lt;semantics&gt; mid...</c> (RFC 5888), e.g. <c>BUNDLE 0 1 2</c> (RFC 8843).</summary>
internal sealed record SdpGroup(string Semantics, IReadOnlyList<string> Mids)
{
    public const string Bundle = "BUNDLE";

    public static bool TryParse(string? value, out SdpGroup? group)
    {
        group = null;
        if (value is null)
        {
            return false;
        }

        var f = SdpSyntax.SplitFields(value);
        if (f.Length == 0 || !SdpSyntax.IsToken(f[0]))
        {
            return false;
        }

        group = new SdpGroup(f[0], f[1..]);
        return true;
    }

    public string ToSdpValue() => Mids.Count == 0 ? Semantics : $"{Semantics} {string.Join(' ', Mids)}";
}
