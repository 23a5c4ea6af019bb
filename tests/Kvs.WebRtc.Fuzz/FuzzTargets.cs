using Kvs.WebRtc.Fuzz.Targets;

namespace Kvs.WebRtc.Fuzz;

/// <summary>Every harness, by name (docs/fuzzing.md lists them).</summary>
public static class FuzzTargets
{
    private static readonly Lazy<IReadOnlyList<FuzzTarget>> s_all = new(() =>
        StunTargets.All()
            .Concat(SdpTargets.All())
            .Concat(DtlsTargets.All())
            .Concat(DtlsDeepTargets.All())
            .Concat(SctpTargets.All())
            .Concat(RtpTargets.All())
            .Concat(SignalingTargets.All())
            .ToList());

    /// <summary>All harnesses.</summary>
    public static IReadOnlyList<FuzzTarget> All => s_all.Value;

    /// <summary>The harness called <paramref name="name"/>, or null.</summary>
    public static FuzzTarget? Find(string name) => All.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.Ordinal));
}
