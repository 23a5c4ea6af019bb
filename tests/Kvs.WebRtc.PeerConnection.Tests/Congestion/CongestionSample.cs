namespace Kvs.WebRtc.PeerConnection.Tests.Congestion;

/// <summary>One observation of a <see cref="CongestionSimulation"/>.</summary>
internal readonly record struct CongestionSample(long TimeUs, long TargetBps, long QueueDelayUs, long PacerQueueUs);
