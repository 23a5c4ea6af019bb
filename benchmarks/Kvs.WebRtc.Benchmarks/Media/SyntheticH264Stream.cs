namespace Kvs.WebRtc.Benchmarks.Media;

/// <summary>
/// One group of pictures of a 1080p30 H.264 stream at 4 Mbit/s (≈16.7 KB per frame on average), Annex-B with 4-byte
/// start codes: frame 0 is SPS + PPS + an IDR of ≈120 KB in 4 slices, frames 1–59 are P frames of ≈14.9 KB (±20 %) in
/// 2–4 slices. Slice bodies are seeded random bytes with emulation-prevention bytes inserted as an encoder would
/// (no start code inside a NAL unit), so the stream is valid for the packetizer and the depacketizer.
/// </summary>
internal static class SyntheticH264Stream
{
    /// <summary>Frames per second and per group of pictures.</summary>
    public const int FramesPerSecond = 30;

    /// <summary>Frames per group of pictures (one IDR every 2 s).</summary>
    public const int GopLength = 60;

    /// <summary>Bits per second the sequence is sized for.</summary>
    public const int Bitrate = 4_000_000;

    /// <summary>Approximate size of the IDR access unit.</summary>
    public const int IdrSize = 120_000;

    // High profile, level 4.0, 1920x1080 (as x264 writes it), and a matching PPS.
    private static readonly byte[] s_sps =
        [0x67, 0x64, 0x00, 0x28, 0xAC, 0xD9, 0x40, 0x78, 0x02, 0x27, 0xE5, 0xC0, 0x44, 0x00, 0x00, 0x03, 0x00, 0x04, 0x00, 0x00, 0x03, 0x00, 0xF0, 0x3C, 0x60, 0xC6, 0x58];

    private static readonly byte[] s_pps = [0x68, 0xEB, 0xE3, 0xCB, 0x22, 0xC0];

    /// <summary>The access units of one group of pictures; index 0 is the IDR.</summary>
    public static byte[][] Gop(int seed = 1080)
    {
        var random = new Random(seed);
        var averageP = ((Bitrate / 8 / FramesPerSecond * GopLength) - IdrSize) / (GopLength - 1);
        var frames = new byte[GopLength][];
        frames[0] = AccessUnit(random, IdrSize, slices: 4, idr: true);
        for (var i = 1; i < GopLength; i++)
        {
            var size = (int)(averageP * (0.8 + (0.4 * random.NextDouble())));
            frames[i] = AccessUnit(random, size, slices: 2 + random.Next(3), idr: false);
        }

        return frames;
    }

    private static byte[] AccessUnit(Random random, int size, int slices, bool idr)
    {
        var output = new List<byte>(size + 1024);
        if (idr)
        {
            AppendNal(output, s_sps);
            AppendNal(output, s_pps);
        }

        var remaining = size - output.Count;
        for (var s = 0; s < slices; s++)
        {
            var sliceSize = s == slices - 1 ? remaining : remaining / (slices - s);
            remaining -= sliceSize;
            AppendNal(output, Slice(random, sliceSize - 4, idr, first: s == 0));
        }

        return [.. output];
    }

    private static void AppendNal(List<byte> output, byte[] nal)
    {
        output.AddRange([0, 0, 0, 1]);
        output.AddRange(nal);
    }

    private static byte[] Slice(Random random, int size, bool idr, bool first)
    {
        var rbsp = new byte[size - 2];
        random.NextBytes(rbsp);
        rbsp[^1] |= 0x01; // rbsp_stop_one_bit: never ends in zero
        var nal = new List<byte>(size + (size / 256))
        {
            idr ? (byte)0x65 : (byte)0x41, // nal_ref_idc 3 / 2, type 5 (IDR) / 1 (non-IDR)
            first ? (byte)0x88 : (byte)0x9A, // first_mb_in_slice = 0 / > 0, then slice_type
        };
        var zeros = 0;
        foreach (var b in rbsp)
        {
            if (zeros == 2 && b <= 3)
            {
                nal.Add(3); // emulation_prevention_three_byte
                zeros = 0;
            }

            nal.Add(b);
            zeros = b == 0 ? zeros + 1 : 0;
        }

        return [.. nal];
    }
}
