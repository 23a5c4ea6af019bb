namespace Kvs.WebRtc.PeerConnection.Tests.Media;

/// <summary>VP8 frames with a valid payload header (RFC 6386 §9.1: P bit 0 for key frames, key frames carry the start code and size).</summary>
internal static class SyntheticVp8
{
    public static byte[] Frame(bool key, int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        bytes[0] = (byte)((bytes[0] & 0xFE) | (key ? 0 : 1));
        if (key)
        {
            bytes[3] = 0x9d;
            bytes[4] = 0x01;
            bytes[5] = 0x2a;
        }

        return bytes;
    }
}
