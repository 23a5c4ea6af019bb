namespace Kvs.WebRtc.Signaling;

/// <summary>
/// A message delivered by the KVS signaling service (a decoded service → client frame).
/// </summary>
/// <remarks>
/// Wire shape: <c>{"messageType":…,"senderClientId":…,"messagePayload":"&lt;base64&gt;","statusResponse":{…}}</c>.
/// The base64 payload is decoded into <see cref="SessionDescription"/> (offers and answers) or
/// <see cref="IceCandidate"/> (candidates). Immutable and thread-safe.
/// </remarks>
public sealed record SignalingMessage
{
    /// <summary>The message kind (<see cref="SignalingMessageType.Unknown"/> for names this library does not know).</summary>
    public required SignalingMessageType Type { get; init; }

    /// <summary>The <c>messageType</c> exactly as received, e.g. <c>SDP_OFFER</c>.</summary>
    public required string WireMessageType { get; init; }

    /// <summary>
    /// The sender's client id: the viewer's <c>X-Amz-ClientId</c> on messages a master receives; null on messages
    /// from the master (the service omits it) and on service-originated messages.
    /// </summary>
    public string? SenderClientId { get; init; }

    /// <summary>The <c>messagePayload</c> as received (base64 of UTF-8 JSON), or null when absent.</summary>
    public string? Payload { get; init; }

    /// <summary>The decoded description of an <c>SDP_OFFER</c> / <c>SDP_ANSWER</c>; null for other types.</summary>
    public SessionDescriptionPayload? SessionDescription { get; init; }

    /// <summary>The decoded candidate of an <c>ICE_CANDIDATE</c>; null for other types.</summary>
    public IceCandidatePayload? IceCandidate { get; init; }

    /// <summary>The <c>statusResponse</c> member when present (always for <c>STATUS_RESPONSE</c>).</summary>
    public StatusResponse? StatusResponse { get; init; }

    /// <summary>
    /// For a <c>STATUS_RESPONSE</c> whose correlation id matches a message this client sent recently: what was sent.
    /// Null otherwise.
    /// </summary>
    public SignalingSendInfo? CorrelatedSend { get; init; }

    /// <summary>
    /// The message type, sender and sizes only: the payload of an offer or answer carries the ICE password
    /// (<c>a=ice-pwd</c>), which must not reach logs.
    /// </summary>
    public override string ToString() =>
        $"SignalingMessage {{ Type = {Type}, SenderClientId = {SenderClientId ?? "-"}, Payload = <{Payload?.Length ?? 0} chars>{(SessionDescription is { } d ? $", {d.Type}" : string.Empty)}{(StatusResponse is { } s ? $", status {s}" : string.Empty)} }}";
}
