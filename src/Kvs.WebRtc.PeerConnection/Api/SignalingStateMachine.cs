namespace Kvs.WebRtc.PeerConnection;

/// <summary>
/// The offer/answer state machine of JSEP (RFC 8829 §3.2, W3C "set the session description" steps): which
/// descriptions may be applied in which <see cref="RTCSignalingState"/>, and the state that follows. Pure and
/// single-threaded; the peer connection serializes calls.
/// </summary>
internal sealed class SignalingStateMachine
{
    /// <summary>The current state.</summary>
    public RTCSignalingState State { get; private set; } = RTCSignalingState.Stable;

    /// <summary>Returns the state applying a description would lead to, or null when it is not allowed now.</summary>
    /// <param name="local">True for setLocalDescription, false for setRemoteDescription.</param>
    /// <param name="type">The description's type.</param>
    public RTCSignalingState? Peek(bool local, RTCSdpType type) => (State, local, type) switch
    {
        (RTCSignalingState.Closed, _, _) => null,

        // Rollback is allowed whenever an exchange is in progress and returns to stable (JSEP §4.1.8.2).
        (RTCSignalingState.Stable, _, RTCSdpType.Rollback) => null,
        (_, _, RTCSdpType.Rollback) => RTCSignalingState.Stable,

        (RTCSignalingState.Stable, true, RTCSdpType.Offer) => RTCSignalingState.HaveLocalOffer,
        (RTCSignalingState.Stable, false, RTCSdpType.Offer) => RTCSignalingState.HaveRemoteOffer,

        // A new local offer may replace the pending local offer (and likewise remote).
        (RTCSignalingState.HaveLocalOffer, true, RTCSdpType.Offer) => RTCSignalingState.HaveLocalOffer,
        (RTCSignalingState.HaveRemoteOffer, false, RTCSdpType.Offer) => RTCSignalingState.HaveRemoteOffer,

        (RTCSignalingState.HaveLocalOffer, false, RTCSdpType.Answer) => RTCSignalingState.Stable,
        (RTCSignalingState.HaveLocalOffer, false, RTCSdpType.Pranswer) => RTCSignalingState.HaveRemotePranswer,
        (RTCSignalingState.HaveRemotePranswer, false, RTCSdpType.Pranswer) => RTCSignalingState.HaveRemotePranswer,
        (RTCSignalingState.HaveRemotePranswer, false, RTCSdpType.Answer) => RTCSignalingState.Stable,

        (RTCSignalingState.HaveRemoteOffer, true, RTCSdpType.Answer) => RTCSignalingState.Stable,
        (RTCSignalingState.HaveRemoteOffer, true, RTCSdpType.Pranswer) => RTCSignalingState.HaveLocalPranswer,
        (RTCSignalingState.HaveLocalPranswer, true, RTCSdpType.Pranswer) => RTCSignalingState.HaveLocalPranswer,
        (RTCSignalingState.HaveLocalPranswer, true, RTCSdpType.Answer) => RTCSignalingState.Stable,

        _ => null,
    };

    /// <summary>Applies a description: moves to the next state, or throws when it is not allowed now.</summary>
    /// <returns>The new state.</returns>
    /// <exception cref="WebRtcException"><see cref="WebRtcError.InvalidState"/> (or <see cref="WebRtcError.Closed"/>) with the reason.</exception>
    public RTCSignalingState Apply(bool local, RTCSdpType type)
    {
        if (State == RTCSignalingState.Closed)
        {
            throw new WebRtcException(WebRtcError.Closed, "The peer connection is closed.");
        }

        var next = Peek(local, type) ?? throw new WebRtcException(
            WebRtcError.InvalidState,
            $"Cannot set a {(local ? "local" : "remote")} {RTCSessionDescription.ToTypeName(type)} in signaling state {State}.");
        State = next;
        return next;
    }

    /// <summary>Moves to <see cref="RTCSignalingState.Closed"/> for good.</summary>
    public void Close() => State = RTCSignalingState.Closed;
}
