using Kvs.WebRtc.PeerConnection.Codecs;

namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>Limits and timing of a <see cref="JitterBuffer"/>; <see cref="For"/> gives the per-codec defaults.</summary>
internal sealed class JitterBufferOptions
{
    /// <summary>The most a latency target may be (W3C <c>jitterBufferTarget</c>: 0–4000 ms).</summary>
    public static readonly TimeSpan MaxTarget = TimeSpan.FromMilliseconds(4000);

    /// <summary>The RTP clock rate of the stream (90,000 for video, 48,000 for Opus, 8,000 for G.711).</summary>
    public int ClockRate { get; init; } = RtpCodecFactory.VideoClockRate;

    /// <summary>
    /// Video: frames depend on each other, so after a frame is dropped the buffer delivers nothing until the next key
    /// frame (and asks for one). Audio frames are independent.
    /// </summary>
    public bool IsVideo { get; init; } = true;

    /// <summary>
    /// How long past its playout time a frame with a missing packet is waited for (NACK repair) before the gap is given
    /// up. Default 300 ms (a retransmission that was lost once more still makes it at a usual RTT; the NACK generator
    /// gives up at 500 ms).
    /// </summary>
    public TimeSpan MaxRepairWait { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>The most the buffer adds on its own for network jitter (the adaptive minimum delay). Default 500 ms.</summary>
    public TimeSpan MaxAdaptiveDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Completed frames held for their playout time at most; beyond it the oldest is dropped. Default 300.</summary>
    public int MaxFrames { get; init; } = 300;

    /// <summary>Bytes of completed frames held at most; beyond it the oldest is dropped. Default 32 MiB.</summary>
    public long MaxBytes { get; init; } = 32L * 1024 * 1024;

    /// <summary>
    /// While video waits for a key frame, how often the request is repeated (a PLI, or the key frame itself, may be lost).
    /// Default 500 ms, the sender's own limit on key-frame requests.
    /// </summary>
    public TimeSpan KeyFrameRetryInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The reorder and assembly limits (packets held at most: its reorder window).</summary>
    public RtpFrameAssemblerOptions Assembler { get; init; } = new();

    /// <summary>
    /// The defaults for a codec: video waits 300 ms for repairs, holds 300 frames (32 MiB) and reorders within 512
    /// packets; audio waits 60 ms (it is not NACKed), adapts up to 200 ms, holds 250 frames (1 MiB).
    /// </summary>
    /// <exception cref="ArgumentException">The codec is unknown.</exception>
    public static JitterBufferOptions For(string codecName)
    {
        if (!RtpCodecFactory.TryGetClockRate(codecName, out var clockRate))
        {
            throw new ArgumentException($"Unknown codec '{codecName}'.", nameof(codecName));
        }

        var assembler = RtpCodecFactory.CreateAssemblerOptions(codecName);
        if (RtpCodecFactory.IsVideo(codecName))
        {
            return new JitterBufferOptions
            {
                ClockRate = clockRate,
                IsVideo = true,
                Assembler = new RtpFrameAssemblerOptions
                {
                    MaxFrameSize = assembler.MaxFrameSize,
                    MaxReorderDelay = assembler.MaxReorderDelay,
                    ReorderWindow = 512,
                    MaxQueuedFrames = assembler.MaxQueuedFrames,
                    MaxPayloadSize = assembler.MaxPayloadSize,
                },
            };
        }

        return new JitterBufferOptions
        {
            ClockRate = clockRate,
            IsVideo = false,
            MaxRepairWait = TimeSpan.FromMilliseconds(60),
            MaxAdaptiveDelay = TimeSpan.FromMilliseconds(200),
            MaxFrames = 250,
            MaxBytes = 1024 * 1024,
            Assembler = assembler,
        };
    }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ClockRate, 1, nameof(ClockRate));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRepairWait, TimeSpan.Zero, nameof(MaxRepairWait));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAdaptiveDelay, TimeSpan.Zero, nameof(MaxAdaptiveDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFrames, 1, nameof(MaxFrames));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBytes, 1, nameof(MaxBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(KeyFrameRetryInterval, TimeSpan.Zero, nameof(KeyFrameRetryInterval));
        ArgumentNullException.ThrowIfNull(Assembler);
        Assembler.Validate();
    }
}
