namespace Kvs.WebRtc.PeerConnection;

/// <summary>The type of a session description (W3C <c>RTCSdpType</c>, JSEP RFC 8829 §4.1.8).</summary>
public enum RTCSdpType
{
    /// <summary><c>offer</c>: a proposal of a session.</summary>
    Offer,

    /// <summary><c>pranswer</c>: a provisional answer, which a final answer replaces.</summary>
    Pranswer,

    /// <summary><c>answer</c>: the final answer; completes the offer/answer exchange.</summary>
    Answer,

    /// <summary><c>rollback</c>: cancels the current offer/answer exchange and returns to <see cref="RTCSignalingState.Stable"/>.</summary>
    Rollback,
}
