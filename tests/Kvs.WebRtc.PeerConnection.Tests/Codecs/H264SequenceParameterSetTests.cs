using Kvs.WebRtc.PeerConnection.Codecs;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Codecs;

[TestFixture]
public sealed class H264SequenceParameterSetTests
{
    // A Constrained Baseline 4.0 SPS found in public RTSP test suites, with emulation prevention bytes and cropping.
    private static readonly byte[] s_baseline1080p =
    [
        0x67, 0x42, 0xc0, 0x28, 0xd9, 0x00, 0x78, 0x02, 0x27, 0xe5, 0x84, 0x00, 0x00, 0x03, 0x00, 0x04,
        0x00, 0x00, 0x03, 0x00, 0xf0, 0x3c, 0x60, 0xc9, 0x20,
    ];

    // A High 3.2 SPS from the same kind of source.
    private static readonly byte[] s_high = [0x67, 0x64, 0x00, 0x20, 0xac, 0xd9, 0x40, 0x78, 0x02, 0x27, 0xe5, 0x9a, 0x80, 0x80, 0x80, 0xa0];

    [Test]
    public void TryParse_CapturedBaselineSps_1920x1080()
    {
        Assert.That(H264SequenceParameterSet.TryParse(s_baseline1080p, out var sps), Is.True);
        Assert.That((sps.ProfileIdc, sps.ConstraintFlags, sps.LevelIdc, sps.Width, sps.Height), Is.EqualTo((66, 0xC0, 40, 1920, 1080)));
    }

    [Test]
    public void TryParse_CapturedHighSps_ReadsChromaFormatAndSize()
    {
        Assert.That(H264SequenceParameterSet.TryParse(s_high, out var sps), Is.True);
        Assert.That((sps.ProfileIdc, sps.ChromaFormatIdc, sps.Width, sps.Height), Is.EqualTo((100, 1, 1920, 1080)));
    }

    [Test]
    public void TryParse_SynthesizedHighSpsWithScalingListsFieldsAndCropping_Size()
    {
        var bits = new BitWriter();
        bits.Bits(100, 8).Bits(0, 8).Bits(31, 8).Ue(0); // profile, flags, level, id
        bits.Ue(1).Ue(0).Ue(0).Bit(0); // chroma 4:2:0, bit depths, bypass
        bits.Bit(1); // seq_scaling_matrix_present_flag
        for (var i = 0; i < 8; i++)
        {
            bits.Bit(i == 0 ? 1 : 0);
            if (i == 0)
            {
                bits.Se(-8); // next_scale 0: the rest of the list is implied
            }
        }

        bits.Ue(0).Ue(1).Bit(0).Se(1).Se(-1).Ue(2).Se(3).Se(-3); // frame num, POC type 1 with a 2-entry cycle
        bits.Ue(4).Bit(0).Ue(79).Ue(22).Bit(0).Bit(1).Bit(1); // refs, gaps, 80 MBs x 23 map units, fields, mbaff, direct8x8
        bits.Bit(1).Ue(0).Ue(0).Ue(0).Ue(2); // crop bottom 2 (x 4 lines for fields in 4:2:0)
        bits.Bit(1); // rest
        byte[] nal = [0x67, .. bits.ToRbspWithEmulationPrevention()];

        Assert.That(H264SequenceParameterSet.TryParse(nal, out var sps), Is.True);
        Assert.That((sps.Width, sps.Height), Is.EqualTo((1280, 2 * 23 * 16 - 8)));
    }

    [Test]
    public void TryFind_InAccessUnit_FindsSps()
    {
        byte[] au = [0, 0, 0, 1, 0x09, 0xF0, 0, 0, 0, 1, .. s_baseline1080p, 0, 0, 0, 1, 0x68, 0xCE, 0x3C, 0x80];
        Assert.That(H264SequenceParameterSet.TryFind(au, out var sps), Is.True);
        Assert.That(sps.Width, Is.EqualTo(1920));
        Assert.That(H264SequenceParameterSet.TryFind([0, 0, 1, 0x65, 1], out _), Is.False);
    }

    [Test]
    public void TryParse_EveryTruncationAndSeededMutation_NeverThrows()
    {
        // The size fields end with NAL byte 9 (the VUI after them is not read): any shorter cut must fail.
        for (var length = 0; length < 10; length++)
        {
            Assert.That(H264SequenceParameterSet.TryParse(s_baseline1080p.AsSpan(0, length), out _), Is.False, $"length {length}");
        }

        Assert.That(H264SequenceParameterSet.TryParse(s_baseline1080p.AsSpan(0, 10), out _), Is.True);

        var random = new Random(11);
        var parsed = 0;
        for (var round = 0; round < 20_000; round++)
        {
            var copy = (byte[])(random.Next(2) == 0 ? s_baseline1080p : s_high).Clone();
            copy[1 + random.Next(copy.Length - 1)] ^= (byte)(1 << random.Next(8));
            if (H264SequenceParameterSet.TryParse(copy, out var sps))
            {
                parsed++;
                Assert.That(sps.Width, Is.InRange(1, 65535));
                Assert.That(sps.Height, Is.InRange(1, 65535));
            }
        }

        Assert.That(parsed, Is.GreaterThan(0));
    }

    private sealed class BitWriter
    {
        private readonly List<int> _bits = [];

        public BitWriter Bit(int bit)
        {
            _bits.Add(bit);
            return this;
        }

        public BitWriter Bits(long value, int count)
        {
            for (var i = count - 1; i >= 0; i--)
            {
                _bits.Add((int)((value >> i) & 1));
            }

            return this;
        }

        public BitWriter Ue(uint value)
        {
            var code = value + 1L;
            var length = 64 - long.LeadingZeroCount(code);
            return Bits(0, (int)length - 1).Bits(code, (int)length);
        }

        public BitWriter Se(int value) => Ue(value > 0 ? (uint)(2 * value - 1) : (uint)(-2 * value));

        public byte[] ToRbspWithEmulationPrevention()
        {
            var bits = new List<int>(_bits);
            while (bits.Count % 8 != 0)
            {
                bits.Add(0);
            }

            var output = new List<byte>();
            var zeros = 0;
            for (var i = 0; i < bits.Count; i += 8)
            {
                var value = 0;
                for (var j = 0; j < 8; j++)
                {
                    value = (value << 1) | bits[i + j];
                }

                if (zeros >= 2 && value <= 3)
                {
                    output.Add(3);
                    zeros = 0;
                }

                output.Add((byte)value);
                zeros = value == 0 ? zeros + 1 : 0;
            }

            return [.. output];
        }
    }
}
