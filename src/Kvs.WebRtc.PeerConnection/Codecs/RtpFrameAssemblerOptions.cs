namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>Limits of an <see cref="RtpFrameAssembler"/>; the defaults suit video at 90 kHz.</summary>
internal sealed class RtpFrameAssemblerOptions
{
    /// <summary>Largest assembled frame in bytes; larger frames are dropped. Default 4 MiB (use 64 KiB for audio).</summary>
    public int MaxFrameSize { get; init; } = 4 * 1024 * 1024;

    /// <summary>
    /// Packets held while waiting for a missing one (the reorder window). A packet that many sequence numbers past
    /// a gap declares the gap lost. Rounded up to a power of two. Default 128.
    /// </summary>
    public int ReorderWindow { get; init; } = 128;

    /// <summary>
    /// How far (in RTP clock units) a newly arrived packet's timestamp may run ahead of the last delivered packet's
    /// before a gap is declared lost. Default 9,000 (100 ms at 90 kHz; use 4,800 for Opus, 800 for G.711).
    /// </summary>
    public int MaxReorderDelay { get; init; } = 9000;

    /// <summary>Completed frames kept unread from one push to the next; beyond it the oldest are discarded. Default 16.</summary>
    public int MaxQueuedFrames { get; init; } = 16;

    /// <summary>Largest accepted RTP payload in bytes; larger packets are dropped. Default 65,535.</summary>
    public int MaxPayloadSize { get; init; } = 65535;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFrameSize, 1, nameof(MaxFrameSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(ReorderWindow, 1, nameof(ReorderWindow));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ReorderWindow, 16384, nameof(ReorderWindow));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxReorderDelay, 0, nameof(MaxReorderDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxQueuedFrames, 1, nameof(MaxQueuedFrames));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPayloadSize, 1, nameof(MaxPayloadSize));
    }
}
