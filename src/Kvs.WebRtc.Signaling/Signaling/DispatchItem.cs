namespace Kvs.WebRtc.Signaling;

/// <summary>One event for the subscriber-dispatch queue of a <see cref="SignalingClient"/>: a message, a state or an error.</summary>
internal readonly record struct DispatchItem(SignalingMessage? Message, SignalingConnectionState? State, SignalingException? Error);
