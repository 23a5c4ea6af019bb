namespace Kvs.WebRtc.PeerConnection.Rtp;

/// <summary>
/// The client-to-mixer audio level header extension (<see cref="RtpExtensionUri.AudioLevel"/>, RFC 6464 §3):
/// one byte, the V (voice activity) bit and a 7-bit level in −dBov (0 = loudest, 127 = silence).
/// </summary>
internal static class AudioLevelExtension
{
    /// <summary>Value length in bytes.</summary>
    public const int Size = 1;

    /// <summary>Writes the byte; <paramref name="level"/> is −dBov, clamped to 0–127. Returns 1.</summary>
    public static int Write(Span<byte> destination, bool voiceActivity, int level)
    {
        destination[0] = (byte)((voiceActivity ? 0x80 : 0) | Math.Clamp(level, 0, 127));
        return Size;
    }

    /// <summary>Reads the byte; false when <paramref name="value"/> is empty. Longer values (padded forms) use their first byte.</summary>
    public static bool TryRead(ReadOnlySpan<byte> value, out bool voiceActivity, out int level)
    {
        voiceActivity = false;
        level = 0;
        if (value.IsEmpty)
        {
            return false;
        }

        voiceActivity = (value[0] & 0x80) != 0;
        level = value[0] & 0x7F;
        return true;
    }
}
