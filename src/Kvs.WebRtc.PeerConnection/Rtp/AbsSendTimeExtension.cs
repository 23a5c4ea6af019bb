using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Rtp;

/// <summary>
/// The abs-send-time header extension (<see cref="RtpExtensionUri.AbsSendTime"/>): the send time as a 24-bit
/// unsigned 6.18 fixed-point number of seconds, so it wraps every 64 s and resolves 1/262144 s (~3.8 µs).
/// </summary>
internal static class AbsSendTimeExtension
{
    /// <summary>Value length in bytes.</summary>
    public const int Size = 3;

    /// <summary>The period after which the value wraps (64 s).</summary>
    public static readonly TimeSpan WrapPeriod = TimeSpan.FromSeconds(64);

    /// <summary>The 24-bit 6.18 value for <paramref name="sendTime"/> (any monotonic clock; only its low 64 s count).</summary>
    public static uint ToValue(TimeSpan sendTime)
    {
        var ticks = sendTime.Ticks;
        var seconds = (ulong)(ticks / TimeSpan.TicksPerSecond) & 0x3F;
        var fraction = (ulong)(ticks % TimeSpan.TicksPerSecond);
        if (ticks < 0)
        {
            // Negative times are wrapped into [0, 64 s) like any other.
            var wrapped = ((ticks % WrapPeriod.Ticks) + WrapPeriod.Ticks) % WrapPeriod.Ticks;
            seconds = (ulong)(wrapped / TimeSpan.TicksPerSecond);
            fraction = (ulong)(wrapped % TimeSpan.TicksPerSecond);
        }

        return (uint)((seconds << 18) | ((fraction << 18) / TimeSpan.TicksPerSecond));
    }

    /// <summary>The time in [0, 64 s) a 24-bit 6.18 value stands for.</summary>
    public static TimeSpan FromValue(uint value) =>
        TimeSpan.FromTicks((long)(((ulong)(value & 0xFFFFFF) * TimeSpan.TicksPerSecond) >> 18));

    /// <summary>Writes the 3-byte value for <paramref name="sendTime"/>; returns 3.</summary>
    public static int Write(Span<byte> destination, TimeSpan sendTime)
    {
        var value = ToValue(sendTime);
        destination[..Size][0] = (byte)(value >> 16);
        BinaryPrimitives.WriteUInt16BigEndian(destination[1..], (ushort)value);
        return Size;
    }

    /// <summary>Reads the 24-bit value; false unless <paramref name="value"/> is exactly 3 bytes.</summary>
    public static bool TryRead(ReadOnlySpan<byte> value, out uint absSendTime)
    {
        absSendTime = 0;
        if (value.Length != Size)
        {
            return false;
        }

        absSendTime = ((uint)value[0] << 16) | BinaryPrimitives.ReadUInt16BigEndian(value[1..]);
        return true;
    }
}
