using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;
using System.Runtime.CompilerServices;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.PeerConnection.Diagnostics;
using Kvs.WebRtc.Signaling;

namespace Kvs.WebRtc.Diagnostics;

/// <summary>
/// The session and signaling instruments of one <see cref="Meter"/> named <see cref="KvsWebRtcDiagnostics.MeterName"/>
/// (the process-wide one, or one per <see cref="IMeterFactory"/>), created once, and the session spans.
/// </summary>
/// <remarks>
/// Viewers, offers, reconnects and time to first frame are recorded when they happen (a few per connection, none per
/// packet); the signaling state is observed from the live channels when a listener collects. Tags have few values:
/// no client ids, channel names or addresses.
/// </remarks>
internal sealed class SessionTelemetry
{
    /// <summary>The version of the meter and the activity source: the assembly's informational version.</summary>
    public static readonly string? Version =
        typeof(SessionTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    /// <summary>The activity source of the signaling connect, viewer connect/join and offer/answer spans.</summary>
    public static readonly ActivitySource Source = new(KvsWebRtcDiagnostics.ActivitySourceName, Version);

    /// <summary>Tag of the offer counter: what became of the offer (<c>answered</c>, <c>refused</c>, <c>failed</c>).</summary>
    public const string OfferResultTag = "kvs.webrtc.offer.result";

    /// <summary>Tag of the offer counter: why it was refused or failed (a fixed word or an error code).</summary>
    public const string OfferReasonTag = "kvs.webrtc.offer.reason";

    /// <summary>Tag: <c>master</c> or <c>viewer</c>.</summary>
    public const string RoleTag = "kvs.webrtc.signaling.role";

    private static readonly Lazy<SessionTelemetry> s_shared = new(() => new SessionTelemetry(new Meter(KvsWebRtcDiagnostics.MeterName, Version)));
    private static readonly ConditionalWeakTable<IMeterFactory, SessionTelemetry> s_byFactory = new();

    private readonly object _sync = new();
    private readonly List<KvsChannel> _channels = [];
    private readonly HashSet<(string Role, string State)> _stateSeries = [];
    private readonly Counter<long> _reconnects;

    private SessionTelemetry(Meter meter)
    {
        ViewersConnected = meter.CreateUpDownCounter<long>("kvs.webrtc.viewers.connected", "{viewer}", "Viewers whose peer connection to this master is connected.");
        OffersReceived = meter.CreateCounter<long>("kvs.webrtc.offers.received", "{offer}", "SDP offers a master received, by result (answered, refused, failed) and reason.");
        ViewerJoinDuration = meter.CreateHistogram<double>("kvs.webrtc.viewer.join.duration", "s", "Master side: time from a viewer's offer to its connected peer connection.");
        TimeToFirstFrame = meter.CreateHistogram<double>(
            "kvs.webrtc.time_to_first_frame", "s", "Viewer side: time from the start of the connect to the first complete key frame of the master's media.");
        _reconnects = meter.CreateCounter<long>("kvs.webrtc.signaling.reconnects", "{reconnect}", "Times a signaling connection dropped and began to reconnect.");
        meter.CreateObservableUpDownCounter("kvs.webrtc.signaling.connections", ObserveSignaling, "{connection}", "Signaling connections by role and state.");
    }

    /// <summary><c>kvs.webrtc.viewers.connected</c>.</summary>
    public UpDownCounter<long> ViewersConnected { get; }

    /// <summary><c>kvs.webrtc.offers.received</c>.</summary>
    public Counter<long> OffersReceived { get; }

    /// <summary><c>kvs.webrtc.viewer.join.duration</c> (s).</summary>
    public Histogram<double> ViewerJoinDuration { get; }

    /// <summary><c>kvs.webrtc.time_to_first_frame</c> (s).</summary>
    public Histogram<double> TimeToFirstFrame { get; }

    /// <summary>The instruments of <paramref name="factory"/>'s meter, or of the process-wide meter when null; created once per meter.</summary>
    public static SessionTelemetry For(IMeterFactory? factory) =>
        factory is null
            ? s_shared.Value
            : s_byFactory.GetValue(factory, static f => new SessionTelemetry(f.Create(new MeterOptions(KvsWebRtcDiagnostics.MeterName) { Version = Version })));

    /// <summary>Counts one offer with its result and, for a refused or failed one, its reason.</summary>
    public void OfferReceived(string result, string? reason = null)
    {
        if (!OffersReceived.Enabled)
        {
            return;
        }

        if (reason is null)
        {
            OffersReceived.Add(1, new KeyValuePair<string, object?>(OfferResultTag, result));
        }
        else
        {
            OffersReceived.Add(1, new KeyValuePair<string, object?>(OfferResultTag, result), new KeyValuePair<string, object?>(OfferReasonTag, reason));
        }
    }

    /// <summary>Observes a channel's signaling state until it is disposed, and counts its reconnects.</summary>
    /// <returns>Dispose when the channel is disposed.</returns>
    public IDisposable Watch(KvsChannel channel)
    {
        lock (_sync)
        {
            _channels.Add(channel);
        }

        var role = new KeyValuePair<string, object?>(RoleTag, RoleName(channel.Signaling));
        var subscription = channel.Signaling.States.Subscribe(new StateObserver(state =>
        {
            if (state == SignalingConnectionState.Reconnecting)
            {
                _reconnects.Add(1, role);
            }
        }));
        return new Unwatch(this, channel, subscription);
    }

    /// <summary>
    /// Starts a span that is the root of its own trace (a master's work for one viewer has no caller to belong to), or
    /// null when nobody listens. <see cref="Activity.Current"/> is the new span afterwards, in the caller's flow only.
    /// </summary>
    public static Activity? StartRoot(string name, ActivityKind kind)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        Activity.Current = null;
        return Source.StartActivity(name, kind);
    }

    /// <summary>
    /// Emits a finished span that began at <paramref name="startedAt"/> and ends now, as a child of
    /// <paramref name="parent"/>; <see cref="Activity.Current"/> is left as it was.
    /// </summary>
    public static void EmitSpan(string name, ActivityContext parent, DateTimeOffset startedAt, DateTimeOffset endedAt, params KeyValuePair<string, object?>[] tags)
    {
        if (!Source.HasListeners())
        {
            return;
        }

        var previous = Activity.Current;
        var activity = Source.StartActivity(name, ActivityKind.Internal, parent, tags, startTime: startedAt);
        if (activity is not null)
        {
            activity.SetEndTime(endedAt.UtcDateTime);
            activity.Stop();
        }

        Activity.Current = previous;
    }

    /// <summary>Ends a span with an error: status error, <c>error.type</c> the typed error code, the message as description.</summary>
    public static void Fail(Activity? activity, Exception error)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag("error.type", ErrorType(error));
        activity.SetStatus(ActivityStatusCode.Error, error.Message);
        activity.Stop();
    }

    /// <summary>Ends a span with an error that has no exception: <c>error.type</c> <paramref name="errorType"/>.</summary>
    public static void Fail(Activity? activity, string errorType, string description)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag("error.type", errorType);
        activity.SetStatus(ActivityStatusCode.Error, description);
        activity.Stop();
    }

    /// <summary>The low-cardinality name of an error: the typed error code when there is one, else the exception's type name.</summary>
    public static string ErrorType(Exception error) => error switch
    {
        WebRtcException e => e.Error.ToString(),
        SignalingException e => e.Error.ToString(),
        KvsSessionException e => e.Error.ToString(),
        TimeoutException => "Timeout",
        OperationCanceledException => "Canceled",
        _ => error.GetType().Name,
    };

    private static string RoleName(SignalingClient signaling) => signaling.IsMaster ? "master" : "viewer";

    private static string StateName(SignalingConnectionState state) => state switch
    {
        SignalingConnectionState.Connecting => "connecting",
        SignalingConnectionState.Connected => "connected",
        SignalingConnectionState.Reconnecting => "reconnecting",
        SignalingConnectionState.Closing => "closing",
        SignalingConnectionState.Closed => "closed",
        _ => "failed",
    };

    private List<Measurement<long>> ObserveSignaling()
    {
        var counts = new Dictionary<(string Role, string State), long>();
        lock (_sync)
        {
            foreach (var channel in _channels)
            {
                var key = (RoleName(channel.Signaling), StateName(channel.Signaling.State));
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }

            // A series that emptied reports 0 from then on, instead of keeping its last count.
            _stateSeries.UnionWith(counts.Keys);
            foreach (var key in _stateSeries)
            {
                counts.TryAdd(key, 0);
            }
        }

        var measurements = new List<Measurement<long>>(counts.Count);
        foreach (var ((role, state), count) in counts)
        {
            measurements.Add(new Measurement<long>(count, new KeyValuePair<string, object?>(RoleTag, role), new KeyValuePair<string, object?>("kvs.webrtc.signaling.state", state)));
        }

        return measurements;
    }

    private sealed class StateObserver(Action<SignalingConnectionState> onNext) : IObserver<SignalingConnectionState>
    {
        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void OnNext(SignalingConnectionState value) => onNext(value);
    }

    private sealed class Unwatch(SessionTelemetry telemetry, KvsChannel channel, IDisposable subscription) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            subscription.Dispose();
            lock (telemetry._sync)
            {
                telemetry._channels.Remove(channel);
            }
        }
    }
}
