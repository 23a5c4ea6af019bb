namespace Kvs.WebRtc.Emulator.Signaling;

/// <summary>
/// A decoded client → service frame (<c>{"action","recipientClientId","messagePayload","correlationId"}</c>).
/// Empty strings on the wire are reported as absent (null); <see cref="MessagePayload"/> is forwarded verbatim.
/// </summary>
/// <param name="Action">The <c>action</c> as sent, e.g. <c>SDP_OFFER</c> (empty when missing).</param>
/// <param name="RecipientClientId">The <c>recipientClientId</c>, or null.</param>
/// <param name="MessagePayload">The <c>messagePayload</c> exactly as sent (empty when missing).</param>
/// <param name="CorrelationId">The <c>correlationId</c>, or null.</param>
internal readonly record struct ClientFrame(string Action, string? RecipientClientId, string MessagePayload, string? CorrelationId);
