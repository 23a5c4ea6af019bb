using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;
using System.Runtime.CompilerServices;
using Kvs.WebRtc.PeerConnection.Media;

namespace Kvs.WebRtc.PeerConnection.Diagnostics;

/// <summary>
/// The peer-connection instruments of one <see cref="Meter"/> named <see cref="KvsWebRtcDiagnostics.MeterName"/>
/// (the process-wide one, or one per <see cref="IMeterFactory"/>), created once, and the connections they read.
/// </summary>
/// <remarks>
/// The RTP and data-channel counters are observable: a collection sums the counters each live connection keeps for its
/// W3C stats anyway, plus what closed connections had counted (kept here when they close, so the sums never go down).
/// A connection costs one list entry and two event handlers; nothing runs per packet. The ICE and DTLS histograms and
/// spans are recorded once per connection when the transport finishes its setup.
/// </remarks>
internal sealed class PeerConnectionTelemetry
{
    /// <summary>The length of a counters array: every <see cref="TelemetryCounter"/> for audio and for video.</summary>
    public const int CounterSlots = (int)TelemetryCounter.DataBytesReceived * 2 + 2;

    /// <summary>The version of the meter and the activity source: the assembly's informational version.</summary>
    public static readonly string? Version =
        typeof(PeerConnectionTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    /// <summary>The activity source of the ICE and DTLS spans.</summary>
    public static readonly ActivitySource Source = new(KvsWebRtcDiagnostics.ActivitySourceName, Version);

    private static readonly Lazy<PeerConnectionTelemetry> s_shared = new(() => new PeerConnectionTelemetry(new Meter(KvsWebRtcDiagnostics.MeterName, Version)));
    private static readonly ConditionalWeakTable<IMeterFactory, PeerConnectionTelemetry> s_byFactory = new();

    private static readonly KeyValuePair<string, object?> s_transmit = new("network.io.direction", "transmit");
    private static readonly KeyValuePair<string, object?> s_receive = new("network.io.direction", "receive");
    private static readonly KeyValuePair<string, object?> s_audio = new("kvs.webrtc.media.kind", "audio");
    private static readonly KeyValuePair<string, object?> s_video = new("kvs.webrtc.media.kind", "video");

    private readonly object _sync = new();
    private readonly List<PeerConnectionProbe> _live = [];
    private readonly long[] _retired = new long[CounterSlots];
    private readonly HashSet<(string State, string Local, string Remote)> _connectionSeries = [];

    private PeerConnectionTelemetry(Meter meter)
    {
        Meter = meter;
        IceSetupDuration = meter.CreateHistogram<double>(
            "kvs.webrtc.ice.setup.duration", "s", "Time from the start of ICE connectivity checks to a working candidate pair.");
        DtlsHandshakeDuration = meter.CreateHistogram<double>(
            "kvs.webrtc.dtls.handshake.duration", "s", "Time from the start of the DTLS handshake to its end.");
        meter.CreateObservableUpDownCounter(
            "kvs.webrtc.peer_connections", ObservePeerConnections, "{connection}",
            "Live peer connections by connection state and the types of the selected ICE candidate pair.");
        meter.CreateObservableCounter("kvs.webrtc.rtp.packets", () => ObserveMedia(TelemetryCounter.RtpPacketsSent, TelemetryCounter.RtpPacketsReceived), "{packet}",
            "RTP packets sent and received (retransmissions excluded from sent).");
        meter.CreateObservableCounter("kvs.webrtc.rtp.bytes", () => ObserveMedia(TelemetryCounter.RtpBytesSent, TelemetryCounter.RtpBytesReceived), "By",
            "RTP payload bytes sent and received.");
        meter.CreateObservableCounter("kvs.webrtc.rtp.packets.lost", () => ObserveMedia(null, TelemetryCounter.RtpPacketsLost), "{packet}",
            "RTP packets lost on the way to this peer (RFC 3550 cumulative loss).");
        meter.CreateObservableCounter("kvs.webrtc.rtp.nacks", () => ObserveMedia(TelemetryCounter.NacksSent, TelemetryCounter.NacksReceived), "{nack}",
            "Generic NACK feedback messages sent (transmit) and received (receive).");
        meter.CreateObservableCounter("kvs.webrtc.rtp.plis", () => ObserveMedia(TelemetryCounter.PlisSent, TelemetryCounter.PlisReceived), "{pli}",
            "Picture loss indications sent (transmit) and received (receive).");
        meter.CreateObservableCounter(
            "kvs.webrtc.rtp.retransmissions", () => ObserveMedia(TelemetryCounter.RetransmissionsSent, TelemetryCounter.RetransmissionsReceived), "{packet}",
            "RTP packets retransmitted (transmit) and retransmissions received (receive).");
        meter.CreateObservableGauge("kvs.webrtc.target_bitrate", ObserveTargetBitrate, "bit/s",
            "The congestion controller's target bitrate, summed over the live connections that have an estimate.");
        meter.CreateObservableCounter("kvs.webrtc.datachannel.messages", () => ObserveData(TelemetryCounter.DataMessagesSent, TelemetryCounter.DataMessagesReceived), "{message}",
            "Data-channel messages sent and received.");
        meter.CreateObservableCounter("kvs.webrtc.datachannel.bytes", () => ObserveData(TelemetryCounter.DataBytesSent, TelemetryCounter.DataBytesReceived), "By",
            "Data-channel message bytes sent and received.");
    }

    /// <summary>The meter the instruments belong to.</summary>
    public Meter Meter { get; }

    /// <summary><c>kvs.webrtc.ice.setup.duration</c> (s).</summary>
    public Histogram<double> IceSetupDuration { get; }

    /// <summary><c>kvs.webrtc.dtls.handshake.duration</c> (s).</summary>
    public Histogram<double> DtlsHandshakeDuration { get; }

    /// <summary>How many connections the observable instruments read now (for tests).</summary>
    internal int LiveCount
    {
        get
        {
            lock (_sync)
            {
                return _live.Count;
            }
        }
    }

    /// <summary>The instruments of <paramref name="factory"/>'s meter, or of the process-wide meter when null; created once per meter.</summary>
    public static PeerConnectionTelemetry For(IMeterFactory? factory) =>
        factory is null
            ? s_shared.Value
            : s_byFactory.GetValue(factory, static f => new PeerConnectionTelemetry(f.Create(new MeterOptions(KvsWebRtcDiagnostics.MeterName) { Version = Version })));

    /// <summary>The slot of <paramref name="counter"/> for <paramref name="kind"/> in a counters array.</summary>
    public static int Slot(TelemetryCounter counter, MediaStreamTrackKind kind) => ((int)counter * 2) + (kind == MediaStreamTrackKind.Video ? 1 : 0);

    /// <summary>The lowercase W3C name of a candidate type (<c>host</c>, <c>srflx</c>, <c>prflx</c>, <c>relay</c>).</summary>
    public static string CandidateTypeName(RTCIceCandidate? candidate) => candidate?.Type switch
    {
        null => "none",
        RTCIceCandidateType.Host => "host",
        RTCIceCandidateType.ServerReflexive => "srflx",
        RTCIceCandidateType.PeerReflexive => "prflx",
        _ => "relay",
    };

    /// <summary>Starts reading a connection's counters.</summary>
    public void Register(PeerConnectionProbe probe)
    {
        lock (_sync)
        {
            _live.Add(probe);
        }
    }

    /// <summary>Stops reading a closing connection's counters and keeps their last values in the totals. Idempotent.</summary>
    public void Retire(PeerConnectionProbe probe)
    {
        lock (_sync)
        {
            if (_live.Remove(probe))
            {
                probe.Connection.ReadCounters(_retired);
            }
        }
    }

    private long[] ReadTotals()
    {
        var totals = new long[CounterSlots];
        lock (_sync)
        {
            _retired.CopyTo(totals, 0);
            foreach (var probe in _live)
            {
                probe.Connection.ReadCounters(totals);
            }
        }

        return totals;
    }

    private List<Measurement<long>> ObserveMedia(TelemetryCounter? transmit, TelemetryCounter receive)
    {
        var totals = ReadTotals();
        var measurements = new List<Measurement<long>>(4);
        if (transmit is { } sent)
        {
            measurements.Add(new Measurement<long>(totals[Slot(sent, MediaStreamTrackKind.Audio)], s_transmit, s_audio));
            measurements.Add(new Measurement<long>(totals[Slot(sent, MediaStreamTrackKind.Video)], s_transmit, s_video));
        }

        measurements.Add(new Measurement<long>(totals[Slot(receive, MediaStreamTrackKind.Audio)], s_receive, s_audio));
        measurements.Add(new Measurement<long>(totals[Slot(receive, MediaStreamTrackKind.Video)], s_receive, s_video));
        return measurements;
    }

    private Measurement<long>[] ObserveData(TelemetryCounter transmit, TelemetryCounter receive)
    {
        var totals = ReadTotals();
        return
        [
            new Measurement<long>(totals[Slot(transmit, MediaStreamTrackKind.Audio)], s_transmit),
            new Measurement<long>(totals[Slot(receive, MediaStreamTrackKind.Audio)], s_receive),
        ];
    }

    private Measurement<long> ObserveTargetBitrate()
    {
        long sum = 0;
        lock (_sync)
        {
            foreach (var probe in _live)
            {
                sum += probe.Connection.TargetBitrate ?? 0;
            }
        }

        return new Measurement<long>(sum);
    }

    private List<Measurement<long>> ObservePeerConnections()
    {
        var counts = new Dictionary<(string State, string Local, string Remote), long>();
        lock (_sync)
        {
            foreach (var probe in _live)
            {
                var key = probe.Describe();
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }

            // A series that emptied reports 0 once and afterwards, instead of keeping its last count.
            foreach (var key in counts.Keys)
            {
                _connectionSeries.Add(key);
            }

            foreach (var key in _connectionSeries)
            {
                counts.TryAdd(key, 0);
            }
        }

        var measurements = new List<Measurement<long>>(counts.Count);
        foreach (var ((state, local, remote), count) in counts)
        {
            measurements.Add(new Measurement<long>(
                count,
                new KeyValuePair<string, object?>("kvs.webrtc.peer_connection.state", state),
                new KeyValuePair<string, object?>("kvs.webrtc.ice.local_candidate.type", local),
                new KeyValuePair<string, object?>("kvs.webrtc.ice.remote_candidate.type", remote)));
        }

        return measurements;
    }
}
