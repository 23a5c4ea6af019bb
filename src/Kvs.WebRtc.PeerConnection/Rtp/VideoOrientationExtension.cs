namespace Kvs.WebRtc.PeerConnection.Rtp;

/// <summary>
/// The coordination-of-video-orientation header extension (<see cref="RtpExtensionUri.VideoOrientation"/>,
/// 3GPP TS 26.114 §7.4.5): one byte <c>0 0 0 0 C F R1 R0</c> with C = back camera, F = horizontal flip and
/// R = clockwise rotation in quarter turns.
/// </summary>
internal static class VideoOrientationExtension
{
    /// <summary>Value length in bytes.</summary>
    public const int Size = 1;

    /// <summary>Writes the CVO byte for <paramref name="rotationDegrees"/> (0, 90, 180 or 270); returns 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The rotation is not a multiple of 90 in 0–270.</exception>
    public static int Write(Span<byte> destination, int rotationDegrees, bool flip = false, bool backCamera = false)
    {
        if (rotationDegrees is not (0 or 90 or 180 or 270))
        {
            throw new ArgumentOutOfRangeException(nameof(rotationDegrees), rotationDegrees, "0, 90, 180 or 270");
        }

        destination[0] = (byte)((backCamera ? 0x08 : 0) | (flip ? 0x04 : 0) | (rotationDegrees / 90));
        return Size;
    }

    /// <summary>Reads the CVO byte; false when <paramref name="value"/> is empty.</summary>
    public static bool TryRead(ReadOnlySpan<byte> value, out int rotationDegrees, out bool flip, out bool backCamera)
    {
        rotationDegrees = 0;
        flip = false;
        backCamera = false;
        if (value.IsEmpty)
        {
            return false;
        }

        rotationDegrees = (value[0] & 0x03) * 90;
        flip = (value[0] & 0x04) != 0;
        backCamera = (value[0] & 0x08) != 0;
        return true;
    }
}
