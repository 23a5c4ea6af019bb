using System.Diagnostics;
using System.Net;
using Kvs.WebRtc.PeerConnection.DataChannels;
using Kvs.WebRtc.PeerConnection.Dtls;
using Kvs.WebRtc.PeerConnection.Ice;
using Kvs.WebRtc.PeerConnection.Transport;
using Kvs.WebRtc.Testing;
using Kvs.WebRtc.Testing.Network;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.PeerConnection.Tests.PeerConnection;

/// <summary>
/// Two of our peer connections on two hosts of a <see cref="VirtualNetwork"/> (optionally behind NATs, with a STUN
/// server on the public side then), signaling in-process: offer/answer, then every trickled candidate.
/// </summary>
/// <remarks>
/// <para>Clock: with <c>manualClock</c> (the default) every component runs on one <see cref="ManualTimeProvider"/>:
/// ICE checks, DTLS and SCTP timers, packet delivery, RTP/RTCP and the media track's key-frame rate limit all happen
/// on the test thread, inside <see cref="RunUntilAsync"/> (which is <see cref="Pump.Until"/>). With the real clock the
/// network delivers on timer threads and <see cref="RunUntilAsync"/> polls instead.</para>
/// <para>What is not on the clock: each connection hops to real threads in two places. (1) The ICE transport raises
/// its state changes on its own dispatch task, and the connection reacts there: <c>SetIceUsable</c> starts the DTLS
/// client's handshake. (2) The connection raises every user event (candidates, state, data channels, messages, tracks)
/// on its <see cref="SerialDispatcher"/>, and SRTP-ready asks the media senders for a key frame from there.
/// The pump conditions therefore read only state that the test thread updates synchronously (the ICE agent and DTLS
/// state through <see cref="TransportOf"/>, SCTP counters, channel ready states, track counters), and at the points
/// where a real thread must act before the clock may move on, the pair stops the clock and <em>settles</em>: it
/// waits in real time (bounded, <see cref="SettleLimit"/>) until the connections' visible state has caught up.
/// Those points are: candidates (collected with the clock stopped, then added in their gathering order), ICE
/// connected (so the DTLS client starts at the clock time ICE connected), DTLS connected (so the key-frame requests
/// of SRTP-ready are made before media starts).</para>
/// <para>So, for a given seed, the network's random draws, every timer and the order of deliveries repeat. What still
/// differs from run to run: ICE consent checks are spaced by a CSPRNG (RFC 7675 §5.1, [0.8, 1.2] × 5 s), which shifts
/// later draws of the link that carries them; ECDSA signatures vary by a byte or two (bandwidth-capped links
/// serialize for a few nanoseconds more or less); SSRCs, sequence numbers, TSNs and tags are random values (not
/// timing); a second ICE state change after the settle point (e.g. Connected then Completed in a later step) reaches
/// <c>SetIceUsable</c> on a real thread, which flushes nothing new. Tests therefore assert outcomes (everything
/// delivered, in order, byte-identical; counters that must move), never whole traces. Everything is bounded: pumps by
/// clock time and steps, settles by real time.</para>
/// </remarks>
internal sealed class VirtualPeerPair : IAsyncDisposable
{
    public static readonly IPAddress PublicA = IPAddress.Parse("127.60.0.1");
    public static readonly IPAddress PublicB = IPAddress.Parse("127.60.0.2");
    public static readonly IPAddress PrivateA = IPAddress.Parse("127.61.0.1");
    public static readonly IPAddress PrivateB = IPAddress.Parse("127.61.0.2");
    public static readonly IPAddress NatAddressA = IPAddress.Parse("127.62.0.1");
    public static readonly IPAddress NatAddressB = IPAddress.Parse("127.62.0.2");
    public static readonly IPAddress StunAddress = IPAddress.Parse("127.63.0.1");

    /// <summary>Most real time one settle waits for the connections' event tasks.</summary>
    public static readonly TimeSpan SettleLimit = TimeSpan.FromSeconds(15);

    private static readonly Lazy<DtlsCertificate> s_certificateA = new(() => DtlsCertificate.Generate());
    private static readonly Lazy<DtlsCertificate> s_certificateB = new(() => DtlsCertificate.Generate());

    private readonly CandidateLog _fromA;
    private readonly CandidateLog _fromB;
    private bool _candidatesForwarded;

    /// <summary>Builds the network and both connections (nothing is sent until <see cref="NegotiateAsync(RTCPeerConnection, CancellationToken)"/>).</summary>
    /// <param name="seed">Seeds every link of the network.</param>
    /// <param name="manualClock">True: one <see cref="ManualTimeProvider"/> drives everything; false: the real clock.</param>
    /// <param name="natA">Puts A behind a NAT of this behavior (and adds a STUN server).</param>
    /// <param name="natB">Puts B behind a NAT of this behavior (and adds a STUN server).</param>
    /// <param name="nack">Loss-recovery options of both connections; null for the defaults.</param>
    /// <param name="loggerFactoryA">A's logger factory (to capture its log), or null.</param>
    /// <param name="pacing">Pacing options of both connections; null for the defaults.</param>
    public VirtualPeerPair(int seed = 1, bool manualClock = true, (NatMappingBehavior Mapping, NatFilteringBehavior Filtering)? natA = null,
        (NatMappingBehavior Mapping, NatFilteringBehavior Filtering)? natB = null, RTCNackOptions? nack = null, ILoggerFactory? loggerFactoryA = null,
        RTCPacingOptions? pacing = null)
    {
        Clock = manualClock ? new ManualTimeProvider() : null;
        Time = Clock ?? TimeProvider.System;
        Network = new VirtualNetwork(Time, seed);
        (HostA, NatA) = AddPeerHost("a", natA, PublicA, PrivateA, NatAddressA);
        (HostB, NatB) = AddPeerHost("b", natB, PublicB, PrivateB, NatAddressB);
        var servers = new List<RTCIceServer>();
        if (NatA is not null || NatB is not null)
        {
            Stun = new VirtualStunServer(Network.AddHost("stun", StunAddress));
            servers.Add(new RTCIceServer { Urls = [Stun.Url] });
        }

        // HostAddresses stays null: the virtual host is the socket factory and lists its own addresses.
        var configuration = new RTCConfiguration { IncludeLoopbackCandidates = true, EnableIpv6 = false, IceServers = servers };
        A = new RTCPeerConnection(configuration, new RTCPeerConnectionOptions { Certificate = s_certificateA.Value, TimeProvider = Time, SocketFactory = HostA, Nack = nack, LoggerFactory = loggerFactoryA, Pacing = pacing });
        B = new RTCPeerConnection(configuration, new RTCPeerConnectionOptions { Certificate = s_certificateB.Value, TimeProvider = Time, SocketFactory = HostB, Nack = nack, Pacing = pacing });
        _fromA = new CandidateLog(A);
        _fromB = new CandidateLog(B);
    }

    /// <summary>The offerer in <see cref="OpenChannelAsync"/>; ICE controlling when it offers.</summary>
    public RTCPeerConnection A { get; }

    public RTCPeerConnection B { get; }

    /// <summary>The manual clock, or null on the real clock.</summary>
    public ManualTimeProvider? Clock { get; }

    /// <summary>The clock of everything (give it to tracks: <c>new EncodedFrameTrack(...) { TimeProvider = pair.Time }</c>).</summary>
    public TimeProvider Time { get; }

    public VirtualNetwork Network { get; }

    /// <summary>A's host: set impairment on <c>HostA.Uplink</c> (A → B) and <c>HostA.Downlink</c>.</summary>
    public VirtualHost HostA { get; }

    public VirtualHost HostB { get; }

    public VirtualNat? NatA { get; }

    public VirtualNat? NatB { get; }

    /// <summary>The STUN server (only when a side is behind a NAT).</summary>
    public VirtualStunServer? Stun { get; }

    /// <summary>The connection's transport (private field, read by reflection): the synchronous view of ICE, DTLS and SCTP the pump needs.</summary>
    public static PeerConnectionTransport TransportOf(RTCPeerConnection pc) => pc.TransportForTests;

    /// <summary>The ICE agent's state (not the connection's event-driven <see cref="RTCPeerConnection.IceConnectionState"/>).</summary>
    public static IceConnectionState AgentIceState(RTCPeerConnection pc) => TransportOf(pc).Ice?.State ?? IceConnectionState.New;

    /// <summary>The DTLS state as the receive path sees it.</summary>
    public static DtlsState DtlsStateOf(RTCPeerConnection pc) => TransportOf(pc).GetSnapshot().DtlsState;

    /// <summary>
    /// Offer from <paramref name="offerer"/>, answer from the other. The first time, every candidate both sides gather
    /// is then forwarded (with the clock stopped, or pumped only until the STUN answers arrived), so that checks start
    /// from the same state in every run.
    /// </summary>
    public Task NegotiateAsync(RTCPeerConnection offerer, CancellationToken cancellationToken = default) => NegotiateAsync(offerer, null, cancellationToken);

    /// <summary>As <see cref="NegotiateAsync(RTCPeerConnection, CancellationToken)"/>; the offerer gets the answer through <paramref name="mungeAnswer"/> (a peer that answers differently).</summary>
    public async Task NegotiateAsync(RTCPeerConnection offerer, Func<string, string>? mungeAnswer, CancellationToken cancellationToken = default)
    {
        var answerer = offerer == A ? B : A;
        var offer = await offerer.CreateOfferAsync(cancellationToken);
        await offerer.SetLocalDescriptionAsync(offer, cancellationToken);
        await answerer.SetRemoteDescriptionAsync(offer, cancellationToken);
        var answer = await answerer.CreateAnswerAsync(cancellationToken);
        await answerer.SetLocalDescriptionAsync(answer, cancellationToken);
        await offerer.SetRemoteDescriptionAsync(mungeAnswer is null ? answer : answer with { Sdp = mungeAnswer(answer.Sdp) }, cancellationToken);
        if (!_candidatesForwarded)
        {
            _candidatesForwarded = true;
            await ForwardCandidatesAsync(cancellationToken);
        }
    }

    /// <summary>Runs until ICE and DTLS are connected on both sides (and their events have been raised).</summary>
    public async Task ConnectAsync(TimeSpan limit)
    {
        await RunUntilAsync(() => IsUp(AgentIceState(A)) && IsUp(AgentIceState(B)), limit, "ICE connected");
        await SettleAsync(() => IceEventsCaughtUp(A) && IceEventsCaughtUp(B), "ICE state events");
        await RunUntilAsync(() => DtlsStateOf(A) == DtlsState.Connected && DtlsStateOf(B) == DtlsState.Connected, limit, "DTLS connected");
        await SettleAsync(() => A.ConnectionState == RTCPeerConnectionState.Connected && B.ConnectionState == RTCPeerConnectionState.Connected,
            "connection state events");
    }

    /// <summary>Creates a channel on A, negotiates (A offers), connects and runs until both ends are open.</summary>
    public async Task<(RTCDataChannel Local, RTCDataChannel Remote)> OpenChannelAsync(string label, RTCDataChannelInit? init, TimeSpan limit)
    {
        var remoteTask = PeerPair.NextRemoteChannelAsync(B, CancellationToken.None);
        var local = A.CreateDataChannel(label, init);
        await NegotiateAsync(A);
        await ConnectAsync(limit);
        await RunUntilAsync(() => local.ReadyState == RTCDataChannelState.Open && B.GetStats().DataChannelsOpen >= 1, limit, "data channel open");
        var remote = await remoteTask.WaitAsync(SettleLimit);
        await SettleAsync(() => remote.ReadyState == RTCDataChannelState.Open, "remote channel open");
        return (local, remote);
    }

    /// <summary>
    /// Manual clock: pumps (<see cref="Pump.Until"/>) until <paramref name="condition"/> holds, at most
    /// <paramref name="limit"/> of clock time. Real clock: polls it for at most <paramref name="limit"/>. Throws with
    /// the state of both connections when it does not hold.
    /// </summary>
    /// <param name="condition">Read state the test thread updates synchronously (see the remarks of the class).</param>
    /// <param name="limit">Most clock time (manual clock) or real time (real clock).</param>
    /// <param name="what">For the failure message.</param>
    public async Task RunUntilAsync(Func<bool> condition, TimeSpan limit, string what)
    {
        ArgumentNullException.ThrowIfNull(condition);
        bool held;
        if (Clock is not null)
        {
            held = Pump.Until(Clock, condition, limit, beforeStep: WaitForLoops);
        }
        else
        {
            held = await PollAsync(condition, limit);
        }

        if (!held)
        {
            throw new TimeoutException($"Not reached within {limit} of {(Clock is null ? "real" : "clock")} time: {what}. {Describe()}");
        }
    }

    /// <summary>Lets <paramref name="duration"/> pass (manual clock: pumps; real clock: waits).</summary>
    public Task RunForAsync(TimeSpan duration)
    {
        if (Clock is not null)
        {
            Pump.For(Clock, duration, WaitForLoops);
            return Task.CompletedTask;
        }

        return Task.Delay(duration);
    }

    // Before the clock moves: what either connection's loop still has queued (sends that met it busy, handed to
    // another thread) runs at this instant, as it would within microseconds in real time. Bounded in real time.
    private void WaitForLoops()
    {
        var spinner = default(SpinWait);
        var started = System.Diagnostics.Stopwatch.StartNew();
        while ((IsBusy(TransportOf(A).Loop) || IsBusy(TransportOf(B).Loop)) && started.Elapsed < SettleLimit)
        {
            spinner.SpinOnce();
        }
    }

    private static bool IsBusy(Kvs.WebRtc.PeerConnection.Transport.ConnectionLoop loop)
    {
        if (loop.IsClosed)
        {
            return false;
        }

        if (!loop.TryEnterNow(out var scope))
        {
            return true;
        }

        scope.Dispose();
        return false;
    }

    /// <summary>With the clock stopped, waits (real time, at most <see cref="SettleLimit"/>) until state set by the connections' event tasks holds.</summary>
    public async Task SettleAsync(Func<bool> condition, string what)
    {
        if (!await PollAsync(condition, SettleLimit))
        {
            throw new TimeoutException($"Did not settle within {SettleLimit} of real time: {what}. {Describe()}");
        }
    }

    /// <summary>Both connections, the network counters and the clock, for failure messages.</summary>
    public string Describe()
    {
        static string One(RTCPeerConnection pc) =>
            $"ice agent {AgentIceState(pc)}, ice {pc.IceConnectionState}, dtls {DtlsStateOf(pc)}, connection {pc.ConnectionState}, pair {pc.GetStats().SelectedCandidatePair ?? "-"}";

        var counters = Network.Counters;
        return $"A: {One(A)}; B: {One(B)}; network at {Network.Now}: sent {counters.Sent}, delivered {counters.Delivered}, dropped "
            + string.Join(", ", Enum.GetValues<DropReason>().Select(r => $"{r} {counters.DroppedBy(r)}"));
    }

    public async ValueTask DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
        Stun?.Dispose();
        Network.Dispose();
    }

    private static bool IsUp(IceConnectionState state) => state is IceConnectionState.Connected or IceConnectionState.Completed;

    private static async Task<bool> PollAsync(Func<bool> condition, TimeSpan limit)
    {
        var started = Stopwatch.GetTimestamp();
        while (!condition())
        {
            if (Stopwatch.GetElapsedTime(started) > limit)
            {
                return false;
            }

            // A bounded poll of state that other threads set, not a wait for time to pass.
            await Task.Delay(1);
        }

        return true;
    }

    // The connection's event task has applied the agent's latest state (and so called SetIceUsable for it).
    private bool IceEventsCaughtUp(RTCPeerConnection pc)
    {
        var seen = pc.IceConnectionState;
        var up = seen is RTCIceConnectionState.Connected or RTCIceConnectionState.Completed;
        return up && (Clock is null || (int)seen == (int)AgentIceState(pc));
    }

    private (VirtualHost Host, VirtualNat? Nat) AddPeerHost(string name, (NatMappingBehavior Mapping, NatFilteringBehavior Filtering)? nat, IPAddress publicAddress,
        IPAddress privateAddress, IPAddress natAddress)
    {
        if (nat is not { } behavior)
        {
            return (Network.AddHost(name, publicAddress), null);
        }

        var virtualNat = Network.AddNat(natAddress, behavior.Mapping, behavior.Filtering);
        return (Network.AddHost(name, privateAddress, virtualNat), virtualNat);
    }

    private async Task ForwardCandidatesAsync(CancellationToken cancellationToken)
    {
        if (Stun is not null && Clock is not null)
        {
            // The STUN servers are added on a pool thread: wait for the requests to leave, then pump until the answers
            // made the server-reflexive candidates (the agents' own lists, updated on this thread).
            await SettleAsync(() => (NatA is null || HostA.Uplink.Counters.Sent > 0) && (NatB is null || HostB.Uplink.Counters.Sent > 0), "STUN requests sent");
            await RunUntilAsync(() => (NatA is null || HasServerReflexive(A)) && (NatB is null || HasServerReflexive(B)), TimeSpan.FromSeconds(10),
                "server-reflexive candidates");
        }

        // Gathering completes on the agents; the candidates reach us through the connections' event tasks.
        await (Clock is null
            ? Task.WhenAll(_fromA.Complete, _fromB.Complete).WaitAsync(SettleLimit, cancellationToken)
            : SettleAsync(() => _fromA.Complete.IsCompleted && _fromB.Complete.IsCompleted, "candidates gathered"));
        await _fromA.ForwardToAsync(B, cancellationToken);
        await _fromB.ForwardToAsync(A, cancellationToken);
    }

    private static bool HasServerReflexive(RTCPeerConnection pc) =>
        TransportOf(pc).Ice?.LocalCandidates.Any(c => c.Type == IceCandidateType.ServerReflexive) == true;

    /// <summary>The candidates one connection gathered, in order, up to end-of-candidates.</summary>
    private sealed class CandidateLog
    {
        private readonly List<RTCIceCandidateInit> _candidates = [];
        private readonly TaskCompletionSource _complete = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CandidateLog(RTCPeerConnection pc) => pc.IceCandidate += (_, e) =>
        {
            if (e.Candidate is null)
            {
                _complete.TrySetResult();
                return;
            }

            lock (_candidates)
            {
                _candidates.Add(e.Candidate);
            }
        };

        public Task Complete => _complete.Task;

        public async Task ForwardToAsync(RTCPeerConnection to, CancellationToken cancellationToken)
        {
            List<RTCIceCandidateInit> candidates;
            lock (_candidates)
            {
                candidates = [.. _candidates];
            }

            foreach (var candidate in candidates)
            {
                await to.AddIceCandidateAsync(candidate, cancellationToken);
            }

            await to.AddIceCandidateAsync(new RTCIceCandidateInit(string.Empty), cancellationToken);
        }
    }
}
