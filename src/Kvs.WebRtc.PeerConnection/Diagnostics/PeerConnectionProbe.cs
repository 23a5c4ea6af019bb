using System.Diagnostics;

namespace Kvs.WebRtc.PeerConnection.Diagnostics;

/// <summary>
/// One peer connection's part in the telemetry: watches its ICE and DTLS transports to record the setup durations and
/// the <c>kvs.webrtc.ice.connect</c> and <c>kvs.webrtc.dtls.handshake</c> spans, and lets the observable instruments
/// read its counters until it closes.
/// </summary>
/// <remarks>
/// The spans are children of the activity that was current when the connection was created (a session's connect or
/// join span), else roots. Each is emitted once, when its step ends (with its real start time): connected, failed
/// (status error, <c>error.type</c> the <see cref="WebRtcError"/>), or closed before the end (status error).
/// State events arrive on the connection's event task, one at a time.
/// </remarks>
internal sealed class PeerConnectionProbe
{
    private readonly PeerConnectionTelemetry _telemetry;
    private readonly RTCIceTransport _ice;
    private readonly RTCDtlsTransport _dtls;
    private readonly TimeProvider _clock;
    private readonly ActivityContext _parent;
    private readonly object _sync = new();

    // Durations measured before the ICE transport reported its selected pair (DTLS can finish on a working pair before
    // the nomination reaches this side): recorded once the pair is known, so their candidate-type tags are real.
    private readonly List<(System.Diagnostics.Metrics.Histogram<double> Histogram, double Seconds)> _awaitingPair = [];
    private Step _iceStep;
    private Step _dtlsStep;
    private bool _retired;

    /// <summary>Starts watching <paramref name="connection"/>; call from its constructor.</summary>
    public PeerConnectionProbe(PeerConnectionTelemetry telemetry, RTCPeerConnection connection, RTCIceTransport ice, RTCDtlsTransport dtls, TimeProvider clock)
    {
        _telemetry = telemetry;
        Connection = connection;
        _ice = ice;
        _dtls = dtls;
        _clock = clock;
        _parent = Activity.Current?.Context ?? default;
        ice.StateChanged += OnIceStateChanged;
        dtls.StateChanged += OnDtlsStateChanged;
        telemetry.Register(this);
    }

    /// <summary>The connection watched.</summary>
    public RTCPeerConnection Connection { get; }

    /// <summary>The tags of this connection in <c>kvs.webrtc.peer_connections</c>: its state and the selected pair's candidate types.</summary>
    public (string State, string Local, string Remote) Describe()
    {
        var pair = _ice.GetSelectedCandidatePair();
        return (StateName(Connection.ConnectionState), PeerConnectionTelemetry.CandidateTypeName(pair?.Local), PeerConnectionTelemetry.CandidateTypeName(pair?.Remote));
    }

    /// <summary>The connection closes: its counters go into the totals, an unfinished setup step ends in error. Idempotent.</summary>
    public void Retire()
    {
        lock (_sync)
        {
            if (_retired)
            {
                return;
            }

            _retired = true;
        }

        _ice.StateChanged -= OnIceStateChanged;
        _dtls.StateChanged -= OnDtlsStateChanged;
        _ice.SelectedCandidatePairChanged -= OnSelectedPairKnown;
        _telemetry.Retire(this);
        End(ref _iceStep, "kvs.webrtc.ice.connect", WebRtcError.Closed, null);
        End(ref _dtlsStep, "kvs.webrtc.dtls.handshake", WebRtcError.Closed, null);
    }

    private static string StateName(RTCPeerConnectionState state) => state switch
    {
        RTCPeerConnectionState.New => "new",
        RTCPeerConnectionState.Connecting => "connecting",
        RTCPeerConnectionState.Connected => "connected",
        RTCPeerConnectionState.Disconnected => "disconnected",
        RTCPeerConnectionState.Failed => "failed",
        _ => "closed",
    };

    private void OnIceStateChanged(object? sender, EventArgs e)
    {
        switch (_ice.State)
        {
            case RTCIceConnectionState.Checking:
                Begin(ref _iceStep);
                break;
            case RTCIceConnectionState.Connected or RTCIceConnectionState.Completed:
                EndIce(null);
                break;
            case RTCIceConnectionState.Failed:
                EndIce(WebRtcError.IceFailed);
                break;
        }
    }

    private void OnDtlsStateChanged(object? sender, EventArgs e)
    {
        switch (_dtls.State)
        {
            case RTCDtlsTransportState.Connecting:
                // DTLS runs on a working pair, which ICE may not have reported yet: ICE began no later than this.
                Begin(ref _iceStep);
                Begin(ref _dtlsStep);
                break;
            case RTCDtlsTransportState.Connected:
                // DTLS can finish on a working pair before the controlling agent's nomination makes ICE connected.
                EndIce(null);
                End(ref _dtlsStep, "kvs.webrtc.dtls.handshake", null, _telemetry.DtlsHandshakeDuration);
                break;
            case RTCDtlsTransportState.Failed:
                End(ref _dtlsStep, "kvs.webrtc.dtls.handshake", Connection.Failure?.Error ?? WebRtcError.DtlsFailed, _telemetry.DtlsHandshakeDuration);
                break;
        }
    }

    private void OnSelectedPairKnown(object? sender, EventArgs e)
    {
        if (_ice.GetSelectedCandidatePair() is not { } pair)
        {
            return;
        }

        _ice.SelectedCandidatePairChanged -= OnSelectedPairKnown;
        List<(System.Diagnostics.Metrics.Histogram<double> Histogram, double Seconds)> records;
        lock (_sync)
        {
            records = [.. _awaitingPair];
            _awaitingPair.Clear();
        }

        var local = new KeyValuePair<string, object?>("kvs.webrtc.ice.local_candidate.type", PeerConnectionTelemetry.CandidateTypeName(pair.Local));
        var remote = new KeyValuePair<string, object?>("kvs.webrtc.ice.remote_candidate.type", PeerConnectionTelemetry.CandidateTypeName(pair.Remote));
        foreach (var (histogram, seconds) in records)
        {
            histogram.Record(seconds, local, remote);
        }
    }

    private void EndIce(WebRtcError? error) => End(ref _iceStep, "kvs.webrtc.ice.connect", error, _telemetry.IceSetupDuration);

    private void Begin(ref Step step)
    {
        lock (_sync)
        {
            if (!step.Started)
            {
                step = new Step(true, false, _clock.GetTimestamp(), _clock.GetUtcNow());
            }
        }
    }

    // Records the step's duration (when a histogram is given) and its span, once.
    private void End(ref Step step, string spanName, WebRtcError? error, System.Diagnostics.Metrics.Histogram<double>? histogram)
    {
        Step ended;
        lock (_sync)
        {
            if (!step.Started || step.Ended)
            {
                return;
            }

            step = step with { Ended = true };
            ended = step;
        }

        var duration = _clock.GetElapsedTime(ended.StartTimestamp);
        var pair = _ice.GetSelectedCandidatePair();
        var local = new KeyValuePair<string, object?>("kvs.webrtc.ice.local_candidate.type", PeerConnectionTelemetry.CandidateTypeName(pair?.Local));
        var remote = new KeyValuePair<string, object?>("kvs.webrtc.ice.remote_candidate.type", PeerConnectionTelemetry.CandidateTypeName(pair?.Remote));
        if (histogram is { Enabled: true } && error is null && pair is null)
        {
            bool first;
            lock (_sync)
            {
                first = _awaitingPair.Count == 0;
                _awaitingPair.Add((histogram, duration.TotalSeconds));
            }

            if (first)
            {
                _ice.SelectedCandidatePairChanged += OnSelectedPairKnown;
                OnSelectedPairKnown(this, EventArgs.Empty); // it may have been reported in between
            }
        }
        else if (histogram is { Enabled: true } && error != WebRtcError.Closed)
        {
            if (error is { } failed)
            {
                histogram.Record(duration.TotalSeconds, local, remote, new KeyValuePair<string, object?>("error.type", failed.ToString()));
            }
            else
            {
                histogram.Record(duration.TotalSeconds, local, remote);
            }
        }

        if (!PeerConnectionTelemetry.Source.HasListeners())
        {
            return;
        }

        // Started and stopped here with the step's real start time; Activity.Current of the event task is left as it was.
        var previous = Activity.Current;
        var activity = PeerConnectionTelemetry.Source.StartActivity(spanName, ActivityKind.Internal, _parent, startTime: ended.StartedAt);
        if (activity is not null)
        {
            activity.SetTag(local.Key, local.Value);
            activity.SetTag(remote.Key, remote.Value);
            if (error is { } failure)
            {
                activity.SetTag("error.type", failure.ToString());
                activity.SetStatus(ActivityStatusCode.Error, failure == WebRtcError.Closed ? "closed before the step ended" : failure.ToString());
            }

            activity.SetEndTime((ended.StartedAt + duration).UtcDateTime);
            activity.Stop();
        }

        Activity.Current = previous;
    }

    private readonly record struct Step(bool Started, bool Ended, long StartTimestamp, DateTimeOffset StartedAt);
}
