namespace Kvs.WebRtc.Media;

/// <summary>One Opus packet (an RTP payload as is, RFC 7587) read from an Ogg Opus file.</summary>
/// <param name="Data">The packet, starting with its TOC byte.</param>
/// <param name="DurationSamples">Its duration in 48 kHz samples, from the TOC byte (RFC 6716 §3.1): 120..5760.</param>
/// <param name="Timestamp48K">Sum of the durations of the packets before it: the RTP timestamp offset (48 kHz clock).</param>
public readonly record struct OpusPacket(ReadOnlyMemory<byte> Data, int DurationSamples, long Timestamp48K)
{
    /// <summary>The duration as time.</summary>
    public TimeSpan Duration => TimeSpan.FromTicks(DurationSamples * TimeSpan.TicksPerSecond / 48_000);
}
