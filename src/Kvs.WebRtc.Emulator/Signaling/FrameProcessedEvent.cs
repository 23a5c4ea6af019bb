namespace Kvs.WebRtc.Emulator.Signaling;

/// <summary>Raised by <see cref="SignalingHub.FrameProcessed"/> after a client frame was handled (a test hook).</summary>
/// <param name="ConnectionId">The sender's connection id.</param>
/// <param name="Action">The frame's action as sent, when it could be read.</param>
/// <param name="Outcome">What happened to the frame.</param>
/// <param name="ErrorType">For rejected frames, the error name (e.g. <c>InvalidArgumentException</c>).</param>
internal sealed record FrameProcessedEvent(long ConnectionId, string? Action, FrameOutcome Outcome, string? ErrorType);
