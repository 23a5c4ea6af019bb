namespace Kvs.WebRtc.PeerConnection;

/// <summary>
/// The send pacer of a connection (on by default): the packets of a video frame, key frames above all, and
/// retransmissions leave at the pacing rate (<see cref="PacingFactor"/> × the larger of the bandwidth estimate and the
/// rate the application sends at) instead of in one burst that overflows a shallow bottleneck queue. Audio and RTCP
/// are never queued. Each connection paces on its own; a frame fanned out to many connections is packetized once.
/// </summary>
/// <remarks>
/// Set the properties, then pass the object to the <see cref="RTCPeerConnection"/> constructor: it validates them (an
/// <see cref="ArgumentException"/> names the property that is out of range) and copies them, so later changes to this
/// instance do not reach a connection already created. Equality is by reference.
/// </remarks>
public sealed class RTCPacingOptions
{
    /// <summary>False sends every packet at once, as written (no queue). Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Pacing rate = this × the target (the larger of the estimate and the send rate of the last second). Default 2.5; within [1, 10].</summary>
    public double PacingFactor { get; set; } = 2.5;

    /// <summary>
    /// Queue bound: when the queued video would need longer than this to leave at the pacing rate, the oldest video
    /// packets are dropped (counted) and the senders' tracks are asked for a key frame. Default 2 s; within [10 ms, 10 s].
    /// </summary>
    public TimeSpan MaxQueueDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for values out of range.</summary>
    internal void Validate()
    {
        if (!(PacingFactor is >= 1.0 and <= 10.0))
        {
            throw new ArgumentOutOfRangeException(nameof(PacingFactor), PacingFactor, "must be in [1, 10]");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(MaxQueueDelay, TimeSpan.FromMilliseconds(10), nameof(MaxQueueDelay));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxQueueDelay, TimeSpan.FromSeconds(10), nameof(MaxQueueDelay));
    }

    /// <summary>A copy taken at the door, so later changes to this instance do not reach the connection.</summary>
    internal RTCPacingOptions Snapshot() => new()
    {
        Enabled = Enabled,
        PacingFactor = PacingFactor,
        MaxQueueDelay = MaxQueueDelay,
    };
}
