using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>
/// Produces RTP timestamps (RFC 3550 §5.1) for a stream: a random initial offset plus the elapsed media time in
/// clock units, computed from the absolute time since the stream's start (never by adding rounded durations), so
/// it does not drift.
/// </summary>
internal sealed class RtpTimestampClock
{
    private TimeSpan _elapsed;

    /// <summary>Creates a clock.</summary>
    /// <param name="clockRate">The RTP clock rate in Hz (90000 video, 48000 Opus, 8000 G.711).</param>
    /// <param name="initialTimestamp">The timestamp at time zero (should be random, RFC 3550 §5.1).</param>
    public RtpTimestampClock(int clockRate, uint initialTimestamp)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(clockRate, 1);
        ClockRate = clockRate;
        InitialTimestamp = initialTimestamp;
    }

    /// <summary>The clock rate in Hz.</summary>
    public int ClockRate { get; }

    /// <summary>The timestamp at time zero.</summary>
    public uint InitialTimestamp { get; }

    /// <summary>The media time reached by <see cref="Advance"/>.</summary>
    public TimeSpan Elapsed => _elapsed;

    /// <summary>A clock with a random initial timestamp.</summary>
    public static RtpTimestampClock CreateRandom(int clockRate)
    {
        Span<byte> random = stackalloc byte[4];
        RandomNumberGenerator.Fill(random);
        return new RtpTimestampClock(clockRate, BinaryPrimitives.ReadUInt32BigEndian(random));
    }

    /// <summary>A time in whole clock units, rounded down (exact 128-bit arithmetic, no overflow).</summary>
    public static long ToClockUnits(TimeSpan time, int clockRate)
    {
        var product = (Int128)time.Ticks * clockRate;
        var quotient = product / TimeSpan.TicksPerSecond;
        if (product < 0 && quotient * TimeSpan.TicksPerSecond != product)
        {
            quotient--; // floor for times before the start
        }

        return (long)quotient;
    }

    /// <summary>The timestamp of a frame presented <paramref name="sinceStart"/> after the stream's start.</summary>
    public uint GetTimestamp(TimeSpan sinceStart) => unchecked(InitialTimestamp + (uint)ToClockUnits(sinceStart, ClockRate));

    /// <summary>The timestamp after <paramref name="samples"/> samples (audio at the clock rate).</summary>
    public uint GetTimestampForSamples(long samples) => unchecked(InitialTimestamp + (uint)samples);

    /// <summary>
    /// The timestamp of the next frame, then moves the media time on by its duration. The sum of durations is kept
    /// exactly (as a <see cref="TimeSpan"/>) and converted as a whole, so 30 fps (3,000 units per frame at 90 kHz)
    /// or 1/3-ms steps never accumulate rounding errors.
    /// </summary>
    public uint Advance(TimeSpan frameDuration)
    {
        var timestamp = GetTimestamp(_elapsed);
        _elapsed += frameDuration;
        return timestamp;
    }
}
