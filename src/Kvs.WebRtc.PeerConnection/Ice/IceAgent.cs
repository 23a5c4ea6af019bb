using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Kvs.WebRtc.PeerConnection.Stun;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>
/// The sans-IO ICE agent (RFC 8445 full ICE, RFC 8838 trickle, RFC 7675 consent freshness) for one component
/// (BUNDLE with rtcp-mux needs only component 1).
/// </summary>
/// <remarks>
/// <para>Inputs: <see cref="HandleDatagram"/> (bytes, the local base they arrived on, their source, now),
/// <see cref="HandleTimeout"/>, and the signalling calls (<see cref="SetRemoteCredentials"/>,
/// <see cref="AddRemoteCandidate"/>, ...). Outputs: <see cref="TryPollTransmit"/>, <see cref="TryPollEvent"/>,
/// <see cref="NextTimeout"/> (the <see cref="IAddressedCore{TTransmit}"/> shape every core shares). No sockets, tasks, locks or clocks inside; not thread-safe: the driver serialises calls.</para>
/// <para>Times are monotonic <see cref="TimeSpan"/>s from an arbitrary origin.</para>
/// </remarks>
internal sealed partial class IceAgent : IAddressedCore<IceTransmit>
{
    private readonly IceAgentOptions _options;
    private readonly ILogger _logger;
    private readonly List<IceLocalCandidate> _locals = [];
    private readonly List<IceCandidate> _remotes = [];
    private readonly List<IceCandidatePair> _pairs = [];
    private readonly Queue<IceCandidatePair> _triggered = new();
    private readonly Dictionary<TransactionId, Transaction> _transactions = [];
    private readonly Queue<IceTransmit> _transmits = new();
    private readonly Queue<IceAgentEvent> _events = new();
    private readonly List<IPEndPoint> _stunServers = [];
    private byte[] _localPasswordKey;
    private byte[]? _remotePasswordKey;
    private IceCandidatePair? _selected;
    private IceConnectionState _state = IceConnectionState.New;
    private TimeSpan _now;
    private TimeSpan _nextPacing;
    private TimeSpan _nextConsent;
    private TimeSpan? _firstValidAt;
    private TimeSpan? _checkingSince;
    private bool _localGatheringDone;
    private bool _gatheringCompletedSignalled;
    private bool _remoteEndOfCandidates;
    private int _prflxCounter;

    /// <summary>Creates an agent.</summary>
    /// <param name="role">The initial role (the offerer is controlling when both sides do full ICE).</param>
    /// <param name="localCredentials">Our ufrag/pwd, or null to generate them.</param>
    /// <param name="options">Options, or null for the defaults.</param>
    /// <param name="logger">Logger, or null.</param>
    /// <param name="tieBreaker">The tie-breaker, or null for a random one (RFC 8445 §16.1).</param>
    public IceAgent(IceRole role, IceCredentials? localCredentials = null, IceAgentOptions? options = null, ILogger? logger = null, ulong? tieBreaker = null)
    {
        _options = options ?? new IceAgentOptions();
        _options.Validate();
        _logger = logger ?? NullLogger.Instance;
        Role = role;
        LocalCredentials = localCredentials ?? IceCredentials.Generate();
        if (!LocalCredentials.IsValid)
        {
            throw new ArgumentException("Local ICE credentials must be RFC 8839 ice-char strings (ufrag 4+, pwd 22+).", nameof(localCredentials));
        }

        _localPasswordKey = Encoding.UTF8.GetBytes(LocalCredentials.Password);
        TieBreaker = tieBreaker ?? BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
    }

    /// <summary>The current role; may flip on a role conflict (RFC 8445 §7.3.1.1).</summary>
    public IceRole Role { get; private set; }

    /// <summary>The 64-bit tie-breaker.</summary>
    public ulong TieBreaker { get; }

    /// <summary>Our credentials (new ones after <see cref="Restart"/>).</summary>
    public IceCredentials LocalCredentials { get; private set; }

    /// <summary>The peer's credentials, once known.</summary>
    public IceCredentials? RemoteCredentials { get; private set; }

    /// <summary>The state.</summary>
    public IceConnectionState State => _state;

    /// <summary>Counters of dropped and handled input.</summary>
    public IceAgentCounters Counters { get; } = new();

    /// <summary>The selected (nominated) pair, or null.</summary>
    public IceSelectedPair? SelectedPair { get; private set; }

    /// <summary>The local candidates gathered so far.</summary>
    public IEnumerable<IceCandidate> LocalCandidates => _locals.Select(l => l.Candidate);

    /// <summary>The remote candidates known (signalled and peer reflexive).</summary>
    public IReadOnlyList<IceCandidate> RemoteCandidates => _remotes;

    /// <summary>The checklist (for diagnostics and tests).</summary>
    public IReadOnlyList<IceCandidatePair> Pairs => _pairs;

    /// <summary>Copies of the checklist pairs (and the selected pair, if no longer in the checklist), for statistics.</summary>
    public List<IceCandidatePairSnapshot> SnapshotPairs()
    {
        var snapshots = new List<IceCandidatePairSnapshot>(_pairs.Count + 1);
        foreach (var pair in _pairs)
        {
            snapshots.Add(Snapshot(pair));
        }

        if (_selected is { } selected && !_pairs.Contains(selected))
        {
            snapshots.Add(Snapshot(selected));
        }

        return snapshots;
    }

    /// <summary>True once the gathering-complete event was raised.</summary>
    public bool IsGatheringComplete => _gatheringCompletedSignalled;

    /// <summary>
    /// The pair to send application data on: the selected pair, or before nomination the best valid pair; null if none.
    /// </summary>
    public IceSelectedPair? GetSendPair()
    {
        if (SelectedPair is not null || _state is IceConnectionState.Failed or IceConnectionState.Closed)
        {
            return SelectedPair;
        }

        var best = BestValidPair();
        return best is null ? null : ToSelected(best);
    }

    /// <summary>
    /// Wraps an application datagram (DTLS, SRTP) into a transmit on <see cref="GetSendPair"/>; false when no pair is
    /// usable yet. For sans-IO callers that drive the agent themselves; the bytes are not copied.
    /// </summary>
    public bool TryCreateApplicationTransmit(ReadOnlyMemory<byte> datagram, out IceTransmit transmit)
    {
        if (GetSendPair() is { } pair)
        {
            transmit = new IceTransmit(pair.LocalBase, pair.RemoteEndPoint, datagram);
            return true;
        }

        transmit = default;
        return false;
    }

    /// <summary>Adds a host candidate bound to <paramref name="baseEndPoint"/> (RFC 8445 §5.1.1.1) and reports it.</summary>
    /// <param name="baseEndPoint">The socket's local address and port.</param>
    /// <param name="interfaceIndex">0 for the most preferred local address, 1 for the next, ...</param>
    /// <returns>The candidate, or null when the local cap is reached or it already exists.</returns>
    public IceCandidate? AddHostCandidate(IPEndPoint baseEndPoint, int interfaceIndex)
    {
        ArgumentNullException.ThrowIfNull(baseEndPoint);
        var candidate = new IceCandidate
        {
            Foundation = IceFoundation.Compute(IceCandidateType.Host, baseEndPoint.Address, null, IceTransportProtocol.Udp),
            Component = 1,
            Priority = IcePriority.Compute(IceCandidateType.Host, IcePriority.LocalPreference(baseEndPoint.Address, interfaceIndex), 1),
            Address = baseEndPoint.Address.ToString(),
            Port = baseEndPoint.Port,
            Type = IceCandidateType.Host,
        };
        return AddLocal(candidate, baseEndPoint);
    }

    /// <summary>Adds a relayed candidate (RFC 8445 §5.1.1.2): its base is the relayed address itself.</summary>
    /// <param name="relayedAddress">The XOR-RELAYED-ADDRESS of the allocation.</param>
    /// <param name="mappedAddress">Our address as the TURN server saw it (raddr/rport), if known.</param>
    /// <param name="server">The TURN server's IP address (for the foundation).</param>
    /// <param name="localPreference">Local preference (RFC 8445 §5.1.2.1: prefer UDP relays over TCP/TLS).</param>
    public IceCandidate? AddRelayCandidate(IPEndPoint relayedAddress, IPEndPoint? mappedAddress, IPAddress? server, int localPreference = 65535)
    {
        ArgumentNullException.ThrowIfNull(relayedAddress);
        var candidate = new IceCandidate
        {
            Foundation = IceFoundation.Compute(IceCandidateType.Relay, relayedAddress.Address, server, IceTransportProtocol.Udp),
            Component = 1,
            Priority = IcePriority.Compute(IceCandidateType.Relay, localPreference, 1),
            Address = relayedAddress.Address.ToString(),
            Port = relayedAddress.Port,
            Type = IceCandidateType.Relay,
            RelatedAddress = mappedAddress?.Address.ToString() ?? "0.0.0.0",
            RelatedPort = mappedAddress?.Port ?? 0,
        };
        return AddLocal(candidate, relayedAddress);
    }

    /// <summary>
    /// Starts server-reflexive gathering (RFC 8445 §5.1.1.2): a Binding request from every host base of the server's
    /// address family. Results arrive as <see cref="IceLocalCandidateGathered"/> events.
    /// </summary>
    public void AddStunServer(IPEndPoint server, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(server);
        Advance(now);
        if (_stunServers.Count >= 8 || _stunServers.Contains(server))
        {
            return;
        }

        _stunServers.Add(server);
        foreach (var local in _locals.ToArray())
        {
            if (local.Candidate.Type == IceCandidateType.Host && local.Base.AddressFamily == server.AddressFamily)
            {
                StartServerBinding(local, server);
            }
        }
    }

    /// <summary>
    /// The driver has added every host and relay candidate it will add. Gathering completes (one
    /// <see cref="IceGatheringCompleted"/> event) once server-reflexive requests are answered or time out.
    /// </summary>
    public void SetLocalGatheringDone()
    {
        _localGatheringDone = true;
        CheckGatheringComplete();
    }

    /// <summary>Sets the peer's ufrag and pwd (from its SDP). Checks start on the next timeout.</summary>
    /// <exception cref="ArgumentException">Credentials are not valid ice-char strings.</exception>
    public void SetRemoteCredentials(IceCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        if (!IceCredentials.IsIceString(credentials.Ufrag, 4, 256) || !IceCredentials.IsIceString(credentials.Password, 22, 256))
        {
            throw new ArgumentException("Remote ICE credentials are not valid ice-char strings.", nameof(credentials));
        }

        if (RemoteCredentials is not null && RemoteCredentials.Ufrag != credentials.Ufrag)
        {
            throw new InvalidOperationException("Remote credentials changed: call Restart() for an ICE restart first.");
        }

        RemoteCredentials = credentials;
        _remotePasswordKey = Encoding.UTF8.GetBytes(credentials.Password);
        _checkingSince ??= _now;
        foreach (var pair in _pairs)
        {
            // Pairs learned from early checks (before the answer) may now be checked.
            if (pair.State == IceCandidatePairState.Frozen && pair.Triggered)
            {
                pair.State = IceCandidatePairState.Waiting;
            }
        }

        if (_state == IceConnectionState.New && _pairs.Count > 0)
        {
            SetState(IceConnectionState.Checking);
        }
    }

    /// <summary>
    /// Adds a remote candidate (trickled or from SDP). mDNS names, TCP, other components, duplicates and anything past
    /// the cap are ignored with a debug log. Returns true when the candidate was added.
    /// </summary>
    public bool AddRemoteCandidate(IceCandidate candidate)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        if (_state == IceConnectionState.Closed)
        {
            return false;
        }

        string? reason = null;
        IPEndPoint? endPoint = null;
        if (candidate.IsMdns)
        {
            reason = "mDNS .local host names are not resolved";
        }
        else if (candidate.Protocol != IceTransportProtocol.Udp)
        {
            reason = "only UDP candidates are checked";
        }
        else if (candidate.Component != 1)
        {
            reason = "only component 1 is used (rtcp-mux)";
        }
        else if ((endPoint = candidate.EndPoint) is null || endPoint.Port == 0)
        {
            reason = "the address is not an IP literal or the port is 0";
        }
        else if (_remotes.Count >= _options.MaxRemoteCandidates)
        {
            reason = "the remote candidate limit is reached";
        }
        else if (candidate.Ufrag is { } ufrag && RemoteCredentials is not null && ufrag != RemoteCredentials.Ufrag)
        {
            reason = "its ufrag belongs to another ICE generation";
        }

        if (reason is not null)
        {
            Counters.IgnoredRemoteCandidates++;
            Log.RemoteCandidateIgnored(_logger, candidate.Address, candidate.Port, reason);
            return false;
        }

        var existing = FindRemote(endPoint!);
        if (existing >= 0)
        {
            if (_remotes[existing].Type == IceCandidateType.PeerReflexive && candidate.Type != IceCandidateType.PeerReflexive)
            {
                // RFC 8445 §7.3.1.3 note: the signalled candidate replaces the peer-reflexive one learned earlier.
                _remotes[existing] = candidate;
                foreach (var pair in _pairs)
                {
                    if (pair.RemoteEndPoint.Equals(endPoint))
                    {
                        pair.Remote = candidate;
                        pair.Priority = ComputePairPriority(pair.Local, candidate);
                    }
                }
            }

            return false;
        }

        _remotes.Add(candidate);
        Log.RemoteCandidateAdded(_logger, IceCandidate.TypeToken(candidate.Type), endPoint!);
        foreach (var local in _locals)
        {
            TryAddPair(local, candidate, endPoint!);
        }

        if (_state == IceConnectionState.New && RemoteCredentials is not null && _pairs.Count > 0)
        {
            SetState(IceConnectionState.Checking);
        }

        return true;
    }

    /// <summary>The peer signalled end-of-candidates (RFC 8838 §4.4); needed before the agent may declare failure.</summary>
    /// <param name="ufrag">The ufrag the signal belongs to, when known: a stale one (from before a restart) is ignored.</param>
    /// <returns>False when ignored as stale.</returns>
    public bool SetRemoteEndOfCandidates(string? ufrag = null)
    {
        if (ufrag is not null && RemoteCredentials is not null && ufrag != RemoteCredentials.Ufrag)
        {
            return false;
        }

        _remoteEndOfCandidates = true;
        UpdateCompletion();
        return true;
    }

    /// <summary>
    /// ICE restart (RFC 8445 §9): new local credentials, remote credentials and candidates forgotten, a new checklist.
    /// The previously selected pair keeps carrying data until a new one is selected. Local candidates are reported again.
    /// </summary>
    public void Restart(IceCredentials? newLocalCredentials = null)
    {
        if (_state == IceConnectionState.Closed)
        {
            return;
        }

        LocalCredentials = newLocalCredentials ?? IceCredentials.Generate();
        _localPasswordKey = Encoding.UTF8.GetBytes(LocalCredentials.Password);
        RemoteCredentials = null;
        _remotePasswordKey = null;
        _remotes.Clear();
        _pairs.Clear();
        _triggered.Clear();
        _firstValidAt = null;
        _checkingSince = null;
        _remoteEndOfCandidates = false;
        foreach (var id in _transactions.Where(t => t.Value.Kind != TransactionKind.ServerBinding).Select(t => t.Key).ToList())
        {
            _transactions.Remove(id);
        }

        // The old selected pair stays usable for data (SelectedPair), but consent stops: the peer forgets the old ufrag.
        _selected = null;
        Log.Restarted(_logger, LocalCredentials.Ufrag);
        foreach (var local in _locals)
        {
            local.Candidate = WithUfrag(local.Candidate);
            _events.Enqueue(new IceLocalCandidateGathered(local.Candidate));
        }

        if (_gatheringCompletedSignalled)
        {
            _events.Enqueue(new IceGatheringCompleted());
        }

        if (_state is IceConnectionState.Failed or IceConnectionState.Disconnected)
        {
            SetState(SelectedPair is null ? IceConnectionState.New : IceConnectionState.Checking);
        }
        else if (_state == IceConnectionState.Completed)
        {
            SetState(IceConnectionState.Connected);
        }
    }

    /// <summary>Closes the agent: state Closed, queued output discarded, further input ignored.</summary>
    public void Close()
    {
        if (_state == IceConnectionState.Closed)
        {
            return;
        }

        _transactions.Clear();
        _triggered.Clear();
        _transmits.Clear();
        _selected = null;
        if (SelectedPair is not null)
        {
            SelectedPair = null;
            _events.Enqueue(new IceSelectedPairChanged(null));
        }

        SetState(IceConnectionState.Closed);
    }

    /// <summary>Takes the next datagram to send.</summary>
    public bool TryPollTransmit(out IceTransmit transmit) => _transmits.TryDequeue(out transmit);

    /// <summary>Takes the next event.</summary>
    public bool TryPollEvent(out IceAgentEvent? agentEvent) => _events.TryDequeue(out agentEvent);

    /// <summary>When <see cref="HandleTimeout"/> should next be called; null when nothing is scheduled.</summary>
    public TimeSpan? NextTimeout => ComputeNextTimeout();

    private TimeSpan? ComputeNextTimeout()
    {
        if (_state == IceConnectionState.Closed)
        {
            return null;
        }

        TimeSpan? next = null;
        void Consider(TimeSpan t) => next = next is null || t < next ? t : next;
        foreach (var t in _transactions.Values)
        {
            Consider(t.NextAt);
        }

        if (HasCheckWork())
        {
            Consider(_nextPacing);
        }

        if (_selected is not null && _state != IceConnectionState.Failed)
        {
            Consider(_nextConsent);
            Consider(_selected.LastResponse + (_state == IceConnectionState.Disconnected ? _options.ConsentLostAfter : _options.ConsentDisconnectedAfter));
        }

        if (_selected is null && _checkingSince is { } since && since + _options.FailWithoutEndOfCandidatesAfter > _now)
        {
            Consider(since + _options.FailWithoutEndOfCandidatesAfter);
        }

        if (Role == IceRole.Controlling && _firstValidAt is { } firstValid && RemoteCredentials is not null
            && _state is not IceConnectionState.Failed && !NominationStarted() && BestValidPair() is not null)
        {
            Consider(firstValid + _options.NominationTimeout);
        }

        return next;
    }

    /// <summary>Runs due retransmissions, paced checks, consent checks and consent expiry.</summary>
    public void HandleTimeout(TimeSpan now)
    {
        Advance(now);
        if (_state == IceConnectionState.Closed)
        {
            return;
        }

        ProcessTransactionTimeouts();
        if (HasCheckWork() && _now >= _nextPacing)
        {
            if (SendNextCheck())
            {
                _nextPacing = _now + _options.PacingInterval;
            }
        }

        ProcessConsent();
        TryNominate();
        UpdateCompletion();
    }

    private void Advance(TimeSpan now)
    {
        if (now > _now)
        {
            _now = now;
        }
    }

    private IceCandidate? AddLocal(IceCandidate candidate, IPEndPoint baseEndPoint)
    {
        if (_locals.Count >= _options.MaxLocalCandidates || _locals.Any(l => l.Base.Equals(baseEndPoint) && l.Candidate.Type == candidate.Type))
        {
            return null;
        }

        candidate = WithUfrag(candidate);
        var local = new IceLocalCandidate(candidate, baseEndPoint);
        _locals.Add(local);
        _events.Enqueue(new IceLocalCandidateGathered(candidate));
        Log.LocalCandidate(_logger, IceCandidate.TypeToken(candidate.Type), baseEndPoint);
        if (candidate.Type != IceCandidateType.ServerReflexive)
        {
            foreach (var remote in _remotes)
            {
                TryAddPair(local, remote, remote.EndPoint!);
            }
        }

        if (candidate.Type == IceCandidateType.Host)
        {
            foreach (var server in _stunServers)
            {
                if (server.AddressFamily == baseEndPoint.AddressFamily)
                {
                    StartServerBinding(local, server);
                }
            }
        }

        return candidate;
    }

    // Chromium-style "ufrag" extension: lets the peer tell candidates of different ICE generations apart (RFC 8838 §4.2).
    private IceCandidate WithUfrag(IceCandidate candidate) =>
        candidate with { Extensions = [.. candidate.Extensions.Where(e => e.Key != "ufrag"), new("ufrag", LocalCredentials.Ufrag)] };

    private IceCandidatePair? TryAddPair(IceLocalCandidate local, IceCandidate remote, IPEndPoint remoteEndPoint)
    {
        if (local.Candidate.Type == IceCandidateType.ServerReflexive || local.Base.AddressFamily != remoteEndPoint.AddressFamily)
        {
            return null;
        }

        // A link-local IPv6 base cannot reach a global address and vice versa.
        if (local.Base.AddressFamily == AddressFamily.InterNetworkV6 && local.Base.Address.IsIPv6LinkLocal != remoteEndPoint.Address.IsIPv6LinkLocal)
        {
            return null;
        }

        // Pruning (§6.1.2.4): one pair per (base, remote address).
        foreach (var existing in _pairs)
        {
            if (existing.Matches(local.Base, remoteEndPoint))
            {
                return existing;
            }
        }

        var pair = new IceCandidatePair(local, remote, remoteEndPoint) { Priority = ComputePairPriority(local, remote) };
        if (_pairs.Count >= _options.MaxPairs)
        {
            // §6.1.2.5: keep the highest-priority pairs; only idle ones can be evicted.
            IceCandidatePair? lowest = null;
            foreach (var p in _pairs)
            {
                if (p.State is IceCandidatePairState.Frozen or IceCandidatePairState.Waiting or IceCandidatePairState.Failed
                    && (lowest is null || p.Priority < lowest.Priority))
                {
                    lowest = p;
                }
            }

            if (lowest is null || lowest.Priority >= pair.Priority)
            {
                return null;
            }

            _pairs.Remove(lowest);
        }

        // Frozen unless no pair of this foundation is already Waiting/In-Progress (§6.1.2.6, simplified for trickle).
        var foundation = pair.Foundation;
        var active = _pairs.Any(p => p.State is IceCandidatePairState.Waiting or IceCandidatePairState.InProgress && p.Foundation == foundation);
        var succeeded = _pairs.Any(p => p.State == IceCandidatePairState.Succeeded && p.Foundation == foundation);
        pair.State = active && !succeeded ? IceCandidatePairState.Frozen : IceCandidatePairState.Waiting;
        _pairs.Add(pair);
        return pair;
    }

    private ulong ComputePairPriority(IceLocalCandidate local, IceCandidate remote) =>
        Role == IceRole.Controlling
            ? IcePriority.Pair(local.Candidate.Priority, remote.Priority)
            : IcePriority.Pair(remote.Priority, local.Candidate.Priority);

    private int FindRemote(IPEndPoint endPoint)
    {
        for (var i = 0; i < _remotes.Count; i++)
        {
            if (_remotes[i].Port == endPoint.Port && _remotes[i].EndPoint is { } ep && ep.Equals(endPoint))
            {
                return i;
            }
        }

        return -1;
    }

    private IceLocalCandidate? FindLocalByBase(IPEndPoint localBase)
    {
        foreach (var local in _locals)
        {
            if (local.Candidate.Type != IceCandidateType.ServerReflexive && local.Base.Equals(localBase))
            {
                return local;
            }
        }

        return null;
    }

    private IceCandidatePair? BestValidPair()
    {
        IceCandidatePair? best = null;
        foreach (var pair in _pairs)
        {
            if (pair.State == IceCandidatePairState.Succeeded && (best is null || pair.Priority > best.Priority))
            {
                best = pair;
            }
        }

        return best;
    }

    private IceCandidatePairSnapshot Snapshot(IceCandidatePair pair) =>
        new(pair.Local.Candidate, pair.Remote, pair.State, pair.Nominated, ReferenceEquals(pair, _selected), pair.Priority, pair.RequestsSent,
            pair.RequestsReceived, pair.ResponsesReceived, pair.CurrentRoundTripTime, pair.TotalRoundTripTime, pair.LastResponse);

    private static IceSelectedPair ToSelected(IceCandidatePair pair) => new(pair.Local.Candidate, pair.Local.Base, pair.Remote, pair.RemoteEndPoint);

    private void SetState(IceConnectionState state)
    {
        if (_state == state || _state == IceConnectionState.Closed)
        {
            return;
        }

        Log.StateChanged(_logger, _state, state);
        _state = state;
        if (state == IceConnectionState.Checking)
        {
            _checkingSince ??= _now;
        }

        _events.Enqueue(new IceStateChanged(state));
    }

    private void Select(IceCandidatePair pair)
    {
        if (ReferenceEquals(_selected, pair))
        {
            return;
        }

        _selected = pair;
        pair.LastResponse = _now;
        _nextConsent = _now + NextConsentDelay();
        SelectedPair = ToSelected(pair);
        Log.PairSelected(_logger, SelectedPair);
        _events.Enqueue(new IceSelectedPairChanged(SelectedPair));
        if (_state is IceConnectionState.New or IceConnectionState.Checking or IceConnectionState.Disconnected)
        {
            SetState(IceConnectionState.Connected);
        }

        UpdateCompletion();
    }

    private TimeSpan NextConsentDelay()
    {
        // RFC 7675 §5.1: uniformly random in [0.8, 1.2] x the interval.
        var factor = 0.8 + (RandomNumberGenerator.GetInt32(0, 40_001) / 100_000.0);
        return _options.ConsentInterval * factor;
    }

    private void CheckGatheringComplete()
    {
        if (_gatheringCompletedSignalled || !_localGatheringDone || _transactions.Values.Any(t => t.Kind == TransactionKind.ServerBinding))
        {
            return;
        }

        _gatheringCompletedSignalled = true;
        _events.Enqueue(new IceGatheringCompleted());
        UpdateCompletion();
    }

    // Completed when checking is over with a selected pair; Failed when every pair failed and nothing more can come.
    private void UpdateCompletion()
    {
        if (_state is IceConnectionState.Closed or IceConnectionState.Failed || RemoteCredentials is null)
        {
            return;
        }

        var pending = _triggered.Count > 0 || _pairs.Any(p => p.State is IceCandidatePairState.Frozen or IceCandidatePairState.Waiting or IceCandidatePairState.InProgress);
        if (_selected is not null)
        {
            if (_state == IceConnectionState.Connected && !pending && _remoteEndOfCandidates)
            {
                SetState(IceConnectionState.Completed);
            }

            return;
        }

        var nothingMoreExpected = _remoteEndOfCandidates && _gatheringCompletedSignalled;
        var gaveUp = _checkingSince is { } since && _now >= since + _options.FailWithoutEndOfCandidatesAfter && _pairs.Count > 0;
        // Connected here means an ICE restart whose new checks run while the old pair still carries data.
        if (!pending && (nothingMoreExpected || gaveUp) && BestValidPair() is null
            && _state is IceConnectionState.Checking or IceConnectionState.New or IceConnectionState.Connected)
        {
            Log.ChecksFailed(_logger, _pairs.Count);
            if (SelectedPair is not null)
            {
                // A restart whose checks all failed: the old pair is not usable either.
                SelectedPair = null;
                _events.Enqueue(new IceSelectedPairChanged(null));
            }

            SetState(IceConnectionState.Failed);
        }
    }
}
