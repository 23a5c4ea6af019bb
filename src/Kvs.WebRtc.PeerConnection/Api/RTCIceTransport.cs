using Kvs.WebRtc.PeerConnection.Ice;

namespace Kvs.WebRtc.PeerConnection;

/// <summary>
/// The ICE transport under the connection's DTLS transport (W3C <see href="https://www.w3.org/TR/webrtc/#rtcicetransport">RTCIceTransport</see>):
/// with BUNDLE and rtcp-mux a connection has exactly one, reached through <see cref="RTCDtlsTransport.IceTransport"/>.
/// </summary>
/// <remarks>
/// Thread-safety: members may be read from any thread. Events are raised on the connection's event task, in order with
/// the connection's own events: <see cref="StateChanged"/> before <see cref="RTCPeerConnection.IceConnectionStateChanged"/>
/// and <see cref="RTCPeerConnection.ConnectionStateChanged"/>, <see cref="GatheringStateChanged"/> before
/// <see cref="RTCPeerConnection.IceGatheringStateChanged"/>. A throwing handler is logged and does not affect the
/// connection. The ICE password is never exposed (<see cref="GetLocalParameters"/> gives the username fragment only).
/// </remarks>
public sealed class RTCIceTransport
{
    private volatile string _localUfrag;
    private readonly Func<(string Mid, int MLineIndex)> _bundle;
    private readonly Action<Exception> _reportHandlerFailure;
    private volatile IceTransport? _ice;
    private volatile string? _remoteUfrag;
    private volatile RTCIceCandidatePair? _selected;
    private volatile RTCIceConnectionState _state = RTCIceConnectionState.New;
    private volatile RTCIceGatheringState _gatheringState = RTCIceGatheringState.New;
    private long _selectedPairChanges;

    internal RTCIceTransport(string localUfrag, Func<(string Mid, int MLineIndex)> bundle, Action<Exception> reportHandlerFailure)
    {
        _localUfrag = localUfrag;
        _bundle = bundle;
        _reportHandlerFailure = reportHandlerFailure;
    }

    /// <summary><see cref="State"/> changed (W3C <c>onstatechange</c>).</summary>
    public event EventHandler? StateChanged;

    /// <summary><see cref="GatheringState"/> changed (W3C <c>ongatheringstatechange</c>).</summary>
    public event EventHandler? GatheringStateChanged;

    /// <summary>The pair returned by <see cref="GetSelectedCandidatePair"/> changed (W3C <c>onselectedcandidatepairchange</c>).</summary>
    public event EventHandler? SelectedCandidatePairChanged;

    /// <summary>The ICE role (W3C <c>role</c>); <see cref="RTCIceRole.Unknown"/> until a description was applied.</summary>
    public RTCIceRole Role => _ice?.Role switch
    {
        IceRole.Controlling => RTCIceRole.Controlling,
        IceRole.Controlled => RTCIceRole.Controlled,
        _ => RTCIceRole.Unknown,
    };

    /// <summary>The component (W3C <c>component</c>): always <see cref="RTCIceComponent.Rtp"/> (rtcp-mux).</summary>
    public RTCIceComponent Component { get; } = RTCIceComponent.Rtp;

    /// <summary>The transport's state (W3C <c>state</c>, an <c>RTCIceTransportState</c>, whose values are those of <see cref="RTCIceConnectionState"/>).</summary>
    public RTCIceConnectionState State => _state;

    /// <summary>The gathering state (W3C <c>gatheringState</c>).</summary>
    public RTCIceGatheringState GatheringState => _gatheringState;

    /// <summary>The local candidates gathered so far (W3C <c>getLocalCandidates()</c>).</summary>
    public IReadOnlyList<RTCIceCandidate> GetLocalCandidates()
    {
        var ice = _ice;
        if (ice is null)
        {
            return [];
        }

        var (mid, index) = _bundle();
        return ice.LocalCandidates.Select(c => RTCIceCandidate.From(c, mid, index, _localUfrag)).ToList();
    }

    /// <summary>The remote candidates received so far, including peer-reflexive ones learned from checks (W3C <c>getRemoteCandidates()</c>).</summary>
    public IReadOnlyList<RTCIceCandidate> GetRemoteCandidates()
    {
        var ice = _ice;
        if (ice is null)
        {
            return [];
        }

        var (mid, index) = _bundle();
        var ufrag = _remoteUfrag;
        return ice.RemoteCandidates.Select(c => RTCIceCandidate.From(c, mid, index, ufrag)).ToList();
    }

    /// <summary>The pair carrying the traffic, or null before one was selected (W3C <c>getSelectedCandidatePair()</c>).</summary>
    public RTCIceCandidatePair? GetSelectedCandidatePair() => _selected;

    /// <summary>Our ICE parameters (W3C <c>getLocalParameters()</c>): the username fragment only, never the password.</summary>
    public RTCIceParameters GetLocalParameters() => new(_localUfrag);

    /// <summary>The peer's ICE parameters, or null before its description (W3C <c>getRemoteParameters()</c>): the username fragment only.</summary>
    public RTCIceParameters? GetRemoteParameters() => _remoteUfrag is { } ufrag ? new RTCIceParameters(ufrag) : null;

    /// <inheritdoc />
    public override string ToString() => $"RTCIceTransport({Role}, {State}, gathering {GatheringState})";

    /// <summary>How many times a pair was selected (W3C stats <c>selectedCandidatePairChanges</c>).</summary>
    internal long SelectedPairChanges => Interlocked.Read(ref _selectedPairChanges);

    internal void Attach(IceTransport ice) => _ice = ice;

    internal void SetRemoteUsernameFragment(string ufrag) => _remoteUfrag = ufrag;

    /// <summary>An ICE restart gave this side new credentials.</summary>
    internal void SetLocalUsernameFragment(string ufrag) => _localUfrag = ufrag;

    /// <summary>On the event task: applies a new state and raises <see cref="StateChanged"/>.</summary>
    internal void UpdateState(RTCIceConnectionState state)
    {
        if (_state == state)
        {
            return;
        }

        _state = state;
        EventRaising.Raise(StateChanged, this, _reportHandlerFailure);
    }

    /// <summary>On the event task: applies a new gathering state and raises <see cref="GatheringStateChanged"/>.</summary>
    internal void UpdateGatheringState(RTCIceGatheringState state)
    {
        if (_gatheringState == state)
        {
            return;
        }

        _gatheringState = state;
        EventRaising.Raise(GatheringStateChanged, this, _reportHandlerFailure);
    }

    /// <summary>On the event task: the agent selected another pair (null: none).</summary>
    internal void UpdateSelectedPair(IceSelectedPair? pair)
    {
        RTCIceCandidatePair? next = null;
        if (pair is not null)
        {
            var (mid, index) = _bundle();
            next = new RTCIceCandidatePair(
                RTCIceCandidate.From(pair.Local, mid, index, _localUfrag),
                RTCIceCandidate.From(pair.Remote, mid, index, _remoteUfrag));
        }

        _selected = next;
        if (next is not null)
        {
            Interlocked.Increment(ref _selectedPairChanges);
        }

        EventRaising.Raise(SelectedCandidatePairChanged, this, _reportHandlerFailure);
    }

    /// <summary><see cref="RTCPeerConnection.Close"/>: closed without an event (W3C).</summary>
    internal void Close() => _state = RTCIceConnectionState.Closed;
}
