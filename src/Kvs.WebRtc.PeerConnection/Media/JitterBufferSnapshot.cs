namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>The jitter-buffer and frame counters of a <see cref="RemoteMediaTrack"/> for the W3C inbound-rtp stats.</summary>
/// <param name="EmittedCount">Frames released (W3C <c>jitterBufferEmittedCount</c>).</param>
/// <param name="TotalDelay">Seconds, first packet arrival to release, summed (W3C <c>jitterBufferDelay</c>).</param>
/// <param name="TotalTargetDelay">Seconds of the delay in use at each release, summed (W3C <c>jitterBufferTargetDelay</c>).</param>
/// <param name="TotalMinimumDelay">Seconds of the network-only minimum delay at each release, summed (W3C <c>jitterBufferMinimumDelay</c>).</param>
/// <param name="FreezeCount">Video freezes (W3C <c>freezeCount</c>).</param>
/// <param name="TotalFreezesDuration">Seconds (W3C <c>totalFreezesDuration</c>).</param>
/// <param name="TotalInterFrameDelay">Seconds (W3C <c>totalInterFrameDelay</c>).</param>
/// <param name="TotalSquaredInterFrameDelay">Seconds² (W3C <c>totalSquaredInterFrameDelay</c>).</param>
internal readonly record struct JitterBufferSnapshot(
    long EmittedCount,
    double TotalDelay,
    double TotalTargetDelay,
    double TotalMinimumDelay,
    long FreezeCount,
    double TotalFreezesDuration,
    double TotalInterFrameDelay,
    double TotalSquaredInterFrameDelay);
