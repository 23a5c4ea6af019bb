namespace Kvs.WebRtc.PeerConnection;

/// <summary>
/// One typed stats object of <see cref="RTCStatsReport.Stats"/> (W3C <see href="https://www.w3.org/TR/webrtc-stats/#dom-rtcstats">RTCStats</see>):
/// an id unique within the report (objects refer to each other by id), its type and when it was measured.
/// </summary>
/// <remarks>Immutable snapshots; only this library creates them. Member names are the W3C ones in .NET casing, with
/// W3C units (seconds for jitter and round-trip times).</remarks>
public abstract class RTCStats
{
    private protected RTCStats()
    {
    }

    /// <summary>The id, unique within the report and stable across reports of the same connection (W3C <c>id</c>).</summary>
    public required string Id { get; init; }

    /// <summary>When the values were measured or, for remote stats, when the report carrying them arrived (W3C <c>timestamp</c>).</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>The type (W3C <c>type</c>).</summary>
    public abstract RTCStatsType Type { get; }
}
