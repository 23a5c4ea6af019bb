namespace Kvs.WebRtc.PeerConnection.Diagnostics;

/// <summary>
/// The names to subscribe to for the SDK's metrics (<see cref="System.Diagnostics.Metrics.Meter"/>) and traces
/// (<see cref="System.Diagnostics.ActivitySource"/>); every package of the SDK publishes under these names. With
/// OpenTelemetry: <c>.WithMetrics(m =&gt; m.AddMeter(KvsWebRtcDiagnostics.MeterName))</c> and
/// <c>.WithTracing(t =&gt; t.AddSource(KvsWebRtcDiagnostics.ActivitySourceName))</c>. The instruments and spans are
/// listed in <c>docs/metrics.md</c>. Nothing is measured per packet: counters are read from the connections' own
/// statistics when a listener collects, so an application that subscribes to nothing pays nothing.
/// </summary>
public static class KvsWebRtcDiagnostics
{
    /// <summary>The name of the meter (<c>Kvs.WebRtc</c>); its version is the package's informational version.</summary>
    public const string MeterName = "Kvs.WebRtc";

    /// <summary>The name of the activity source (<c>Kvs.WebRtc</c>) of the connect and handshake spans.</summary>
    public const string ActivitySourceName = "Kvs.WebRtc";
}
