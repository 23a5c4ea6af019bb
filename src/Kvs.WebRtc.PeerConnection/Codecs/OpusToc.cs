namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>
/// Reads an Opus packet's table-of-contents byte (RFC 6716 §3.1) for its duration, so a sender can derive RTP
/// timestamps (48 kHz clock, RFC 7587 §4.1).
/// </summary>
/// <remarks>
/// TOC = config(5) | s(1) | c(2). config 0–11 SILK (10/20/40/60 ms), 12–15 Hybrid (10/20 ms), 16–31 CELT
/// (2.5/5/10/20 ms); c = 0: one frame, 1 and 2: two frames, 3: the count M in the low 6 bits of the next byte.
/// A packet lasts at most 120 ms (§3.2.5).
/// </remarks>
internal static class OpusToc
{
    /// <summary>The RTP clock rate of Opus, whatever the coded bandwidth (RFC 7587 §4.1).</summary>
    public const int ClockRate = 48000;

    /// <summary>The most samples (at 48 kHz) a packet may last: 120 ms.</summary>
    public const int MaxPacketSamples = 5760;

    /// <summary>Samples per frame at 48 kHz for a TOC byte's configuration.</summary>
    public static int GetSamplesPerFrame(byte toc)
    {
        var config = toc >> 3;
        if (config < 12)
        {
            return (config & 3) switch { 0 => 480, 1 => 960, 2 => 1920, _ => 2880 };
        }

        if (config < 16)
        {
            return (config & 1) == 0 ? 480 : 960;
        }

        return 120 << (config & 3);
    }

    /// <summary>The number of frames in a packet.</summary>
    /// <returns>False for an empty packet, a code-3 packet without its count byte or with a count of 0.</returns>
    public static bool TryGetFrameCount(ReadOnlySpan<byte> packet, out int frames)
    {
        frames = 0;
        if (packet.IsEmpty)
        {
            return false;
        }

        switch (packet[0] & 3)
        {
            case 0:
                frames = 1;
                return true;
            case 1:
            case 2:
                frames = 2;
                return true;
            default:
                if (packet.Length < 2 || (packet[1] & 0x3F) == 0)
                {
                    return false;
                }

                frames = packet[1] & 0x3F;
                return true;
        }
    }

    /// <summary>A packet's duration in samples at 48 kHz (its RTP timestamp increment).</summary>
    /// <returns>False when the TOC is unreadable or the packet would last more than 120 ms.</returns>
    public static bool TryGetDuration(ReadOnlySpan<byte> packet, out int samples)
    {
        samples = 0;
        if (!TryGetFrameCount(packet, out var frames))
        {
            return false;
        }

        var total = frames * GetSamplesPerFrame(packet[0]);
        if (total > MaxPacketSamples)
        {
            return false;
        }

        samples = total;
        return true;
    }
}
