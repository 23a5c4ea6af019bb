namespace Kvs.WebRtc.PeerConnection.Congestion;

/// <summary>Tuning and limits of a <see cref="Pacer{TPacket}"/>.</summary>
internal sealed class PacerOptions
{
    /// <summary>Pacing rate = this × the target bitrate, so the encoder's average leaves with headroom. Default 2.5.</summary>
    public double PacingFactor { get; init; } = 2.5;

    /// <summary>
    /// Send budget that may accumulate while idle, as time at the pacing rate (µs); at least one 1,500-byte packet.
    /// Default 5 ms: after a pause, 5 ms worth of packets may leave back to back, the rest at the pacing rate.
    /// </summary>
    public long BurstUs { get; init; } = 5_000;

    /// <summary>
    /// Queue time budget (µs): when the queued bytes would take longer than this to leave at the pacing rate, the
    /// oldest video packets are dropped. Default 2 s.
    /// </summary>
    public long MaxQueueTimeUs { get; init; } = 2_000_000;

    /// <summary>Video packets held at most; beyond it the oldest is dropped. Default 4,096.</summary>
    public int MaxVideoPackets { get; init; } = 4096;

    /// <summary>Audio packets held at most; beyond it new audio is refused. Default 256.</summary>
    public int MaxAudioPackets { get; init; } = 256;

    /// <summary>Dropped packets held for <see cref="Pacer{TPacket}.TryTakeDropped"/>; older ones are only counted. Default 256.</summary>
    public int MaxDroppedPackets { get; init; } = 256;

    internal void Validate()
    {
        if (!(PacingFactor is >= 1.0 and <= 10.0))
        {
            throw new ArgumentOutOfRangeException(nameof(PacingFactor), PacingFactor, "must be in [1, 10]");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(BurstUs, 0, nameof(BurstUs));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(BurstUs, 1_000_000, nameof(BurstUs));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxQueueTimeUs, 1_000, nameof(MaxQueueTimeUs));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxVideoPackets, 1, nameof(MaxVideoPackets));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxVideoPackets, 1 << 20, nameof(MaxVideoPackets));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAudioPackets, 1, nameof(MaxAudioPackets));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxAudioPackets, 1 << 20, nameof(MaxAudioPackets));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDroppedPackets, 1, nameof(MaxDroppedPackets));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxDroppedPackets, 1 << 20, nameof(MaxDroppedPackets));
    }
}
