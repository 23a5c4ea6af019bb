namespace Kvs.WebRtc.Signaling.ControlPlane.Internal;

/// <summary>The on-disk shape of the <see cref="SignalingChannelResolver"/> cache file.</summary>
internal sealed class ResolverCacheFile
{
    public int Version { get; set; } = 1;

    public Dictionary<string, ResolverCacheEntry> Entries { get; set; } = new(StringComparer.Ordinal);
}
