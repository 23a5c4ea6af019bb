namespace Kvs.WebRtc.Signaling.ControlPlane.Internal;

/// <summary>
/// Endpoint rules of the <c>kinesisvideo</c> service (protocol reference 1.1 and 1.3): the partition is chosen from
/// the region name, the host from the FIPS and dual-stack switches.
/// </summary>
internal static class KinesisVideoEndpoints
{
    /// <summary>Resolves the control-plane endpoint of a region.</summary>
    /// <param name="region">The region, e.g. <c>us-west-2</c>.</param>
    /// <param name="useFips">Use the <c>kinesisvideo-fips</c> host.</param>
    /// <param name="useDualStack">Use the dual-stack DNS suffix.</param>
    /// <returns>E.g. <c>https://kinesisvideo.us-west-2.amazonaws.com/</c>.</returns>
    public static Uri GetControlPlaneEndpoint(string region, bool useFips, bool useDualStack)
    {
        var partition = Partition.FromRegion(region);

        // GovCloud's default host already is the FIPS one (endpoints.json); credential scope keeps the region.
        var fips = useFips || partition.DefaultIsFips;
        var host = $"kinesisvideo{(fips ? "-fips" : string.Empty)}.{region}.{(useDualStack ? partition.DualStackDnsSuffix : partition.DnsSuffix)}";
        return new Uri($"https://{host}/", UriKind.Absolute);
    }

    /// <summary>Builds the KVS STUN server URL of a region (never returned by any API).</summary>
    /// <param name="region">The region, e.g. <c>us-west-2</c>.</param>
    /// <param name="useFips">Use <c>stuns:stun.kinesisvideo-fips…</c>.</param>
    /// <param name="useDualStack">Use the dual-stack DNS suffix.</param>
    /// <returns>E.g. <c>stun:stun.kinesisvideo.us-west-2.amazonaws.com:443</c>.</returns>
    public static string GetStunUrl(string region, bool useFips, bool useDualStack)
    {
        var partition = Partition.FromRegion(region);
        var suffix = useDualStack ? partition.DualStackDnsSuffix : partition.DnsSuffix;
        return useFips
            ? $"stuns:stun.kinesisvideo-fips.{region}.{suffix}:443"
            : $"stun:stun.kinesisvideo.{region}.{suffix}:443";
    }

    private readonly record struct Partition(string DnsSuffix, string DualStackDnsSuffix, bool DefaultIsFips)
    {
        private static readonly Partition s_aws = new("amazonaws.com", "api.aws", false);
        private static readonly Partition s_china = new("amazonaws.com.cn", "api.amazonwebservices.com.cn", false);
        private static readonly Partition s_govCloud = new("amazonaws.com", "api.aws", true);
        private static readonly Partition s_iso = new("c2s.ic.gov", "api.aws.ic.gov", false);
        private static readonly Partition s_isoB = new("sc2s.sgov.gov", "api.aws.scloud", false);

        // Unknown region shapes fall back to the aws partition, as the SDKs do.
        public static Partition FromRegion(string region) => region switch
        {
            _ when region.StartsWith("cn-", StringComparison.Ordinal) => s_china,
            _ when region.StartsWith("us-gov-", StringComparison.Ordinal) => s_govCloud,
            _ when region.StartsWith("us-isob-", StringComparison.Ordinal) => s_isoB,
            _ when region.StartsWith("us-iso-", StringComparison.Ordinal) => s_iso,
            _ => s_aws,
        };
    }
}
