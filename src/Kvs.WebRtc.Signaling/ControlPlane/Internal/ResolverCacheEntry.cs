namespace Kvs.WebRtc.Signaling.ControlPlane.Internal;

/// <summary>One persisted resolution (times as Unix milliseconds).</summary>
internal sealed class ResolverCacheEntry
{
    public string ChannelArn { get; set; } = string.Empty;

    public string Region { get; set; } = string.Empty;

    public string Role { get; set; } = string.Empty;

    public string WssEndpoint { get; set; } = string.Empty;

    public string HttpsEndpoint { get; set; } = string.Empty;

    public string? WebRtcEndpoint { get; set; }

    public long ResolvedAtUnixMs { get; set; }

    public long ExpiresAtUnixMs { get; set; }
}
