namespace Kvs.WebRtc.PeerConnection.Tests.Media;

/// <summary>Structurally valid H.264 access units (Annex-B, 4-byte start codes): SPS+PPS+IDR key frames and non-IDR deltas with seeded bytes.</summary>
internal static class SyntheticH264
{
    private static readonly byte[] s_sps = [0x67, 0x42, 0xe0, 0x1f, 0xda, 0x02, 0x80, 0xf6, 0x84, 0x80];
    private static readonly byte[] s_pps = [0x68, 0xce, 0x3c, 0x80];

    public static List<(byte[] Data, bool IsKeyFrame)> Sequence(int count, int keyFrameInterval, int seed)
    {
        var frames = new List<(byte[], bool)>();
        for (var i = 0; i < count; i++)
        {
            var key = i % keyFrameInterval == 0;
            frames.Add(key ? (KeyFrame(6000 + (i * 7), seed + i), true) : (Delta(800 + (i * 13), seed + i), false));
        }

        return frames;
    }

    public static byte[] KeyFrame(int sliceSize, int seed) => [.. Nal(s_sps), .. Nal(s_pps), .. Nal(Slice(0x65, sliceSize, seed))];

    public static byte[] Delta(int sliceSize, int seed) => Nal(Slice(0x41, sliceSize, seed));

    private static byte[] Nal(byte[] nal) => [0, 0, 0, 1, .. nal];

    private static byte[] Slice(byte header, int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        bytes[0] = header;
        bytes[1] = 0x88; // first_mb_in_slice = 0
        for (var i = 2; i < bytes.Length; i++)
        {
            // No start-code emulation inside the payload.
            if (bytes[i] == 0)
            {
                bytes[i] = 0x5a;
            }
        }

        return bytes;
    }
}
