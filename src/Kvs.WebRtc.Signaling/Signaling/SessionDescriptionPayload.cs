namespace Kvs.WebRtc.Signaling;

/// <summary>
/// The JSON carried (base64-encoded) in <c>SDP_OFFER</c> and <c>SDP_ANSWER</c> messages: the W3C
/// <c>RTCSessionDescriptionInit</c> dictionary (<see href="https://www.w3.org/TR/webrtc/#dom-rtcsessiondescriptioninit"/>).
/// </summary>
/// <param name="Type">The description type on the wire: <c>"offer"</c> or <c>"answer"</c> (lower case).</param>
/// <param name="Sdp">The full SDP text (lines end with <c>\r\n</c>).</param>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed record SessionDescriptionPayload(string Type, string Sdp)
{
    /// <summary>The <see cref="Type"/> value of an offer: <c>"offer"</c>.</summary>
    public const string OfferType = "offer";

    /// <summary>The <see cref="Type"/> value of an answer: <c>"answer"</c>.</summary>
    public const string AnswerType = "answer";

    /// <summary>Creates an offer description.</summary>
    /// <param name="sdp">The SDP text.</param>
    /// <returns>A payload with <see cref="Type"/> <c>"offer"</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="sdp"/> is null.</exception>
    public static SessionDescriptionPayload Offer(string sdp)
    {
        ArgumentNullException.ThrowIfNull(sdp);
        return new SessionDescriptionPayload(OfferType, sdp);
    }

    /// <summary>Creates an answer description.</summary>
    /// <param name="sdp">The SDP text.</param>
    /// <returns>A payload with <see cref="Type"/> <c>"answer"</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="sdp"/> is null.</exception>
    public static SessionDescriptionPayload Answer(string sdp)
    {
        ArgumentNullException.ThrowIfNull(sdp);
        return new SessionDescriptionPayload(AnswerType, sdp);
    }

    /// <summary>The type and the SDP's length only: the SDP carries the ICE password (<c>a=ice-pwd</c>), which must not reach logs.</summary>
    public override string ToString() => $"SessionDescriptionPayload {{ Type = {Type}, Sdp = <{Sdp.Length} chars> }}";
}
