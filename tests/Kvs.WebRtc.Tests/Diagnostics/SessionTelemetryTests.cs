using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Kvs.WebRtc.Emulator;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.PeerConnection.Diagnostics;
using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.Sessions;
using Kvs.WebRtc.Tests.Sessions;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using NUnit.Framework;

namespace Kvs.WebRtc.Tests.Diagnostics;

/// <summary>
/// The <see cref="KvsWebRtcDiagnostics.MeterName"/> meter and the <see cref="KvsWebRtcDiagnostics.ActivitySourceName"/>
/// spans through the in-process emulator: each test's channel uses its own <see cref="TestMeterFactory"/>, so the
/// collectors see that test's sessions only.
/// </summary>
[TestFixture]
[CancelAfter(120_000)]
public sealed class SessionTelemetryTests : SessionFixture, IDisposable
{
    private const string Meter = KvsWebRtcDiagnostics.MeterName;
    private TestMeterFactory _meters = null!;

    /// <inheritdoc />
    protected override string ChannelPrefix => "metrics-";

    [SetUp]
    public void CreateMeterFactory() => _meters = new TestMeterFactory();

    [TearDown]
    public void DisposeMeterFactory() => _meters.Dispose();

    /// <inheritdoc />
    public void Dispose() => _meters?.Dispose();

    [Test]
    public async Task ViewerSession_ConnectsStreamsAndLeaves_MetersViewersOffersFirstFrameAndRtp(CancellationToken cancellationToken)
    {
        using var viewers = new MetricCollector<long>(_meters, Meter, "kvs.webrtc.viewers.connected");
        using var offers = new MetricCollector<long>(_meters, Meter, "kvs.webrtc.offers.received");
        using var firstFrame = new MetricCollector<double>(_meters, Meter, "kvs.webrtc.time_to_first_frame");
        using var joinDuration = new MetricCollector<double>(_meters, Meter, "kvs.webrtc.viewer.join.duration");
        using var ice = new MetricCollector<double>(_meters, Meter, "kvs.webrtc.ice.setup.duration");
        using var dtls = new MetricCollector<double>(_meters, Meter, "kvs.webrtc.dtls.handshake.duration");
        using var packets = new MetricCollector<long>(_meters, Meter, "kvs.webrtc.rtp.packets");
        using var bytes = new MetricCollector<long>(_meters, Meter, "kvs.webrtc.rtp.bytes");
        using var messages = new MetricCollector<long>(_meters, Meter, "kvs.webrtc.datachannel.messages");
        using var connections = new MetricCollector<long>(_meters, Meter, "kvs.webrtc.peer_connections");
        var video = new EncodedFrameTrack(RTCRtpCodec.H264);
        await using var master = await MasterSession.StartAsync(Metered(new MasterSessionOptions { Channel = ChannelOptions, PeerConfiguration = Loopback, Tracks = [video] }), cancellationToken);
        await using var camera = LoopingCamera.Start(video, cancellationToken);
        var joined = master.ViewerJoined.FirstAsync().ToTask(cancellationToken);
        var left = master.ViewerLeft.FirstAsync().ToTask(cancellationToken);
        var message = master.Messages.FirstAsync().ToTask(cancellationToken);

        var viewer = await ViewerSession.ConnectAsync(Metered(new ViewerSessionOptions { Channel = ChannelOptions, ClientId = "metered", PeerConfiguration = Loopback, ReceiveAudio = false }), cancellationToken);
        await joined.WaitAsync(WaitTimeout, cancellationToken);
        await viewer.FirstFrame.WaitAsync(WaitTimeout, cancellationToken);
        await viewer.SendAsync("hello", cancellationToken);
        await message.WaitAsync(WaitTimeout, cancellationToken);
        var sentAtFirst = Sum(packets, "transmit", "video");
        await WaitUntilAsync(() => Sum(packets, "transmit", "video") > sentAtFirst && Sum(packets, "receive", "video") > 0, cancellationToken);
        Assert.That(Sum(bytes, "transmit", "video"), Is.GreaterThan(Sum(packets, "transmit", "video")), "payload bytes exceed packets");
        Assert.That(Sum(messages, "transmit", null), Is.GreaterThanOrEqualTo(1), "the viewer's message, sent");
        Assert.That(Sum(messages, "receive", null), Is.GreaterThanOrEqualTo(1), "the viewer's message, received by the master");
        connections.RecordObservableInstruments();
        var connected = connections.GetMeasurementSnapshot().Where(m => Equals(m.Tags["kvs.webrtc.peer_connection.state"], "connected")).ToList();
        Assert.That(connected.Sum(m => m.Value), Is.EqualTo(2), "the master's and the viewer's connection");
        Assert.That(connected.Select(m => m.Tags["kvs.webrtc.ice.local_candidate.type"]), Is.All.EqualTo("host"), "loopback host candidates");

        await viewer.DisposeAsync();
        await left.WaitAsync(WaitTimeout, cancellationToken);

        Assert.That(viewers.GetMeasurementSnapshot().Select(m => m.Value), Is.EqualTo(new long[] { 1, -1 }), "one viewer joined, then left");
        var offer = offers.GetMeasurementSnapshot().Single();
        Assert.That(offer.Value, Is.EqualTo(1));
        Assert.That(offer.Tags["kvs.webrtc.offer.result"], Is.EqualTo("answered"));
        Assert.That(offer.Tags.ContainsKey("kvs.webrtc.offer.reason"), Is.False);
        Assert.That(firstFrame.GetMeasurementSnapshot(), Has.Count.EqualTo(1), "time to first frame is recorded once");
        Assert.That(firstFrame.LastMeasurement!.Value, Is.GreaterThan(0).And.EqualTo(viewer.Timeline.FirstKeyFrame!.Value.TotalSeconds));
        Assert.That(joinDuration.GetMeasurementSnapshot().Single().Value, Is.GreaterThan(0));
        Assert.That(ice.GetMeasurementSnapshot(), Has.Count.EqualTo(2), "one ICE setup per side");
        Assert.That(ice.GetMeasurementSnapshot().Select(m => m.Tags["kvs.webrtc.ice.local_candidate.type"]), Is.All.EqualTo("host"));
        Assert.That(dtls.GetMeasurementSnapshot(), Has.Count.EqualTo(2), "one DTLS handshake per side");
        Assert.That(dtls.GetMeasurementSnapshot().Select(m => m.Tags.ContainsKey("error.type")), Is.All.False);
        var sentBeforeClose = Sum(packets, "transmit", "video");
        await master.DisposeAsync();
        Assert.That(Sum(packets, "transmit", "video"), Is.GreaterThanOrEqualTo(sentBeforeClose), "closed connections' counts stay in the totals");
    }

    [Test]
    public async Task MasterSession_OfferBeyondMaxViewers_CountedRefusedWithReasonAndSpansFailed(CancellationToken cancellationToken)
    {
        using var offers = new MetricCollector<long>(_meters, Meter, "kvs.webrtc.offers.received");
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = Listen(stopped);
        await using var master = await MasterSession.StartAsync(Metered(new MasterSessionOptions { Channel = ChannelOptions, PeerConfiguration = Loopback, MaxViewers = 1 }), cancellationToken);
        await using var first = await ViewerSession.ConnectAsync(Metered(ViewerOptions("first")), cancellationToken);

        Assert.ThrowsAsync<KvsSessionException>(async () =>
        {
            await using var second = await ViewerSession.ConnectAsync(Metered(ViewerOptions("second")), cancellationToken);
        });

        await WaitUntilAsync(() => offers.GetMeasurementSnapshot().Count == 2, cancellationToken);
        var byResult = offers.GetMeasurementSnapshot().ToDictionary(m => (string)m.Tags["kvs.webrtc.offer.result"]!);
        Assert.That(byResult.Keys, Is.EquivalentTo(new[] { "answered", "refused" }));
        Assert.That(byResult["refused"].Tags["kvs.webrtc.offer.reason"], Is.EqualTo("viewer_limit_reached"));

        // The refused viewer's connect span and the master's join span for it end in error with the typed reason.
        await WaitUntilAsync(() => stopped.Any(a => a.OperationName == "kvs.webrtc.viewer.join" && Equals(a.GetTagItem("kvs.webrtc.client_id"), "second")), cancellationToken);
        var spans = stopped.ToList();
        var join = spans.Single(a => a.OperationName == "kvs.webrtc.viewer.join" && Equals(a.GetTagItem("kvs.webrtc.client_id"), "second"));
        Assert.That(join.Status, Is.EqualTo(ActivityStatusCode.Error));
        Assert.That(join.GetTagItem("error.type"), Is.EqualTo("viewer_limit_reached"));
        var refusedConnect = spans.Single(a => a.OperationName == "kvs.webrtc.viewer.connect" && a.Status == ActivityStatusCode.Error);
        Assert.That(refusedConnect.GetTagItem("error.type"), Is.EqualTo("ViewerRefused"));
        Assert.That(ChildOf(spans, refusedConnect, "kvs.webrtc.offer_answer").GetTagItem("kvs.webrtc.offer.result"), Is.EqualTo("refused"));
    }

    [Test]
    public async Task SignalingConnection_Dropped_ReconnectCountedAndStateObserved(CancellationToken cancellationToken)
    {
        using var reconnects = new MetricCollector<long>(_meters, Meter, "kvs.webrtc.signaling.reconnects");
        using var states = new MetricCollector<long>(_meters, Meter, "kvs.webrtc.signaling.connections");
        await using var master = await MasterSession.StartAsync(Metered(MasterOptions()), cancellationToken);
        Assert.That(State(states, "connected"), Is.EqualTo(1));

        Assert.That(Emulator.Faults.DropConnections(c => c.Role == KvsEmulatorRole.Master), Is.EqualTo(1));
        await WaitUntilAsync(() => reconnects.GetMeasurementSnapshot().Count == 1 && State(states, "connected") == 1, cancellationToken);

        Assert.That(reconnects.LastMeasurement!.Tags["kvs.webrtc.signaling.role"], Is.EqualTo("master"));
        await master.DisposeAsync();
        Assert.That(State(states, "connected"), Is.Zero, "a disposed channel is no longer observed");
    }

    [Test]
    public async Task ViewerSession_Connects_SpansNestedUnderConnectAndJoinInOrder(CancellationToken cancellationToken)
    {
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = Listen(stopped);
        await using var master = await MasterSession.StartAsync(MasterOptions(), cancellationToken);
        using var root = new Activity("test").Start();

        await using var viewer = await ViewerSession.ConnectAsync(ViewerOptions("traced"), cancellationToken);
        root.Stop();
        await WaitUntilAsync(() => stopped.Any(a => a.OperationName == "kvs.webrtc.viewer.join" && Equals(a.GetTagItem("kvs.webrtc.client_id"), "traced")), cancellationToken);
        await WaitUntilAsync(() => stopped.Count(a => a.OperationName is "kvs.webrtc.ice.connect" or "kvs.webrtc.dtls.handshake") >= 4, cancellationToken);
        var spans = stopped.ToList();

        // The viewer: connect (a child of the caller's span) > signaling connect, offer/answer, ICE, DTLS.
        var connect = spans.Single(a => a.OperationName == "kvs.webrtc.viewer.connect" && a.ParentSpanId == root.SpanId);
        Assert.That(connect.Status, Is.EqualTo(ActivityStatusCode.Unset));
        var signaling = ChildOf(spans, connect, "kvs.webrtc.signaling.connect");
        var offerAnswer = ChildOf(spans, connect, "kvs.webrtc.offer_answer");
        var ice = ChildOf(spans, connect, "kvs.webrtc.ice.connect");
        var dtls = ChildOf(spans, connect, "kvs.webrtc.dtls.handshake");
        Assert.That(offerAnswer.GetTagItem("kvs.webrtc.offer.result"), Is.EqualTo("answered"));
        Assert.That(signaling.StartTimeUtc + signaling.Duration, Is.LessThanOrEqualTo(offerAnswer.StartTimeUtc));
        Assert.That(offerAnswer.StartTimeUtc, Is.LessThanOrEqualTo(ice.StartTimeUtc));
        Assert.That(ice.StartTimeUtc, Is.LessThanOrEqualTo(dtls.StartTimeUtc));
        Assert.That(dtls.StartTimeUtc + dtls.Duration, Is.LessThanOrEqualTo(connect.StartTimeUtc + connect.Duration));
        Assert.That(new[] { signaling, offerAnswer, ice, dtls }.Select(a => a.Status), Is.All.EqualTo(ActivityStatusCode.Unset));

        // The master: each viewer's join is a trace of its own > offer/answer, ICE, DTLS.
        var join = spans.Single(a => a.OperationName == "kvs.webrtc.viewer.join" && Equals(a.GetTagItem("kvs.webrtc.client_id"), "traced"));
        Assert.That(join.ParentSpanId, Is.EqualTo(default(ActivitySpanId)), "a root span");
        Assert.That(join.TraceId, Is.Not.EqualTo(root.TraceId));
        var answer = ChildOf(spans, join, "kvs.webrtc.offer_answer");
        var masterIce = ChildOf(spans, join, "kvs.webrtc.ice.connect");
        var masterDtls = ChildOf(spans, join, "kvs.webrtc.dtls.handshake");
        Assert.That(answer.StartTimeUtc, Is.LessThanOrEqualTo(masterIce.StartTimeUtc));
        Assert.That(masterIce.StartTimeUtc, Is.LessThanOrEqualTo(masterDtls.StartTimeUtc));
        Assert.That(masterDtls.GetTagItem("kvs.webrtc.ice.local_candidate.type"), Is.EqualTo("host"));
        Assert.That(spans.SelectMany(a => a.TagObjects).Select(t => t.Key), Has.None.Contains("credential").And.None.Contains("password"));
    }

    [Test]
    public async Task RTCPeerConnection_ManyCreated_InstrumentsCreatedOnceNotPerConnection(CancellationToken cancellationToken)
    {
        var published = new ConcurrentQueue<Instrument>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, _meters))
                {
                    published.Enqueue(instrument);
                }
            },
        };
        listener.Start();
        var options = new RTCPeerConnectionOptions { MeterFactory = _meters };

        await using (new RTCPeerConnection(Loopback, options))
        {
        }

        var once = published.Select(i => i.Name).ToList();
        var more = Enumerable.Range(0, 5).Select(_ => new RTCPeerConnection(Loopback, options)).ToList();
        foreach (var connection in more)
        {
            await connection.DisposeAsync();
        }

        Assert.That(once, Does.Contain("kvs.webrtc.rtp.packets").And.Contain("kvs.webrtc.ice.setup.duration"));
        Assert.That(once, Is.Unique);
        Assert.That(published.Select(i => i.Name), Is.EqualTo(once), "no instrument per connection: the counters are observed from each connection's stats");
        Assert.That(cancellationToken.IsCancellationRequested, Is.False);
    }

    private static ActivityListener Listen(ConcurrentQueue<Activity> stopped)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == KvsWebRtcDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    private static Activity ChildOf(List<Activity> spans, Activity parent, string name) =>
        spans.Single(a => a.OperationName == name && a.ParentSpanId == parent.SpanId && a.TraceId == parent.TraceId);

    private static long Sum(MetricCollector<long> collector, string direction, string? kind)
    {
        collector.Clear();
        collector.RecordObservableInstruments();
        return collector.GetMeasurementSnapshot()
            .Where(m => Equals(m.Tags["network.io.direction"], direction) && (kind is null || Equals(m.Tags["kvs.webrtc.media.kind"], kind)))
            .Sum(m => m.Value);
    }

    private static long State(MetricCollector<long> collector, string state)
    {
        collector.Clear();
        collector.RecordObservableInstruments();
        return collector.GetMeasurementSnapshot()
            .Where(m => Equals(m.Tags["kvs.webrtc.signaling.state"], state))
            .Sum(m => m.Value);
    }

    private MasterSessionOptions Metered(MasterSessionOptions options)
    {
        options.Channel = CreateChannelOptions(o => o.MeterFactory = _meters);
        return options;
    }

    private ViewerSessionOptions Metered(ViewerSessionOptions options)
    {
        options.Channel = CreateChannelOptions(o => o.MeterFactory = _meters);
        return options;
    }
}
