namespace Kvs.WebRtc.Emulator.Signaling;

/// <summary>
/// An SDP or ICE message on its way to a recipient: forwarded verbatim (<see cref="Payload"/> is the sender's
/// <c>messagePayload</c> untouched), kept for an offline recipient until <see cref="ExpiresAt"/>.
/// </summary>
/// <param name="MessageType">The wire message type: <c>SDP_OFFER</c>, <c>SDP_ANSWER</c> or <c>ICE_CANDIDATE</c>.</param>
/// <param name="SenderClientId">The viewer's client id; null when the master sent it.</param>
/// <param name="Payload">The base64 payload exactly as sent.</param>
/// <param name="ExpiresAt">When the message is dropped if still undelivered (sent time + the channel's MessageTtlSeconds).</param>
internal sealed record RoutedMessage(string MessageType, string? SenderClientId, string Payload, DateTimeOffset ExpiresAt)
{
    /// <summary>True for SDP offers and answers, which a newer one from the same sender overwrites while pending.</summary>
    public bool IsOverwritable =>
        MessageType is Kvs.WebRtc.Signaling.SignalingWireNames.SdpOffer or Kvs.WebRtc.Signaling.SignalingWireNames.SdpAnswer;
}
