namespace Kvs.WebRtc.Signaling;

/// <summary>
/// Process-wide record of the last signing second used per signaling identity (endpoint, channel, role and client id),
/// so that two connection attempts of that identity within one second never carry the same presigned URL, even when
/// they come from different <see cref="SignalingClient"/> objects (a session replacing its client, two viewers of one
/// application reusing a client id). KVS, like the emulator, refuses a replayed URL.
/// </summary>
/// <remarks>Bounded: past 4,096 identities, entries more than <c>maxLead</c> seconds old are forgotten.</remarks>
internal static class PresignedUrlSeconds
{
    private const int PruneAbove = 4096;
    private static readonly object s_gate = new();
    private static readonly Dictionary<string, long> s_last = new(StringComparer.Ordinal);

    /// <summary>
    /// The signing time for the next attempt of <paramref name="identity"/>: <paramref name="now"/>, or one second after
    /// the identity's previous attempt when that is later and no more than <paramref name="maxLead"/> seconds ahead.
    /// </summary>
    public static DateTimeOffset Next(string identity, DateTimeOffset now, long maxLead)
    {
        var seconds = now.ToUnixTimeSeconds();
        lock (s_gate)
        {
            if (s_last.TryGetValue(identity, out var last) && seconds <= last && last + 1 - seconds <= maxLead)
            {
                seconds = last + 1;
                now = DateTimeOffset.FromUnixTimeSeconds(seconds);
            }

            if (s_last.Count >= PruneAbove && !s_last.ContainsKey(identity))
            {
                var cutoff = seconds - maxLead;
                foreach (var stale in s_last.Where(e => e.Value < cutoff).Select(e => e.Key).ToList())
                {
                    s_last.Remove(stale);
                }
            }

            s_last[identity] = Math.Max(last, seconds);
            return now;
        }
    }
}
