namespace Kvs.WebRtc.Signaling;

/// <summary>
/// What the client sent with a correlation id: attached to a received <c>STATUS_RESPONSE</c>
/// (<see cref="SignalingMessage.CorrelatedSend"/>) when its correlation id matches a recent send.
/// </summary>
/// <param name="Action">The action of the original message (<see cref="SignalingMessageType.SdpOffer"/>, ...).</param>
/// <param name="RecipientClientId">The recipient of the original message (null when sent by a viewer).</param>
/// <param name="CorrelationId">The correlation id the message carried.</param>
/// <param name="SentAt">When the frame was handed to the socket (the client's <see cref="TimeProvider"/>).</param>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed record SignalingSendInfo(SignalingMessageType Action, string? RecipientClientId, string CorrelationId, DateTimeOffset SentAt);
