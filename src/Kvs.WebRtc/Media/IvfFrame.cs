namespace Kvs.WebRtc.Media;

/// <summary>One frame of an IVF file.</summary>
/// <param name="Data">The compressed frame (no IVF frame header).</param>
/// <param name="Pts">The frame's 64-bit presentation timestamp in the file's timebase.</param>
/// <param name="IsKeyFrame">True for a VP8/VP9 key frame (from the frame header); false for other codecs.</param>
/// <param name="Timestamp">The presentation time: <paramref name="Pts"/> × timebase.</param>
public readonly record struct IvfFrame(ReadOnlyMemory<byte> Data, long Pts, bool IsKeyFrame, TimeSpan Timestamp)
{
    /// <summary>The RTP timestamp of this frame at <paramref name="clockRate"/> (90,000 for video) from 0.</summary>
    public uint RtpTimestamp(int clockRate = 90_000) => (uint)Math.Round((double)Timestamp.Ticks * clockRate / TimeSpan.TicksPerSecond);
}
