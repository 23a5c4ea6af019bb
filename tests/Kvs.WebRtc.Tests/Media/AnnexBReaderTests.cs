using System.Diagnostics;
using Kvs.WebRtc.Media;
using Kvs.WebRtc.Testing.Media;
using NUnit.Framework;

namespace Kvs.WebRtc.Tests.Media;

/// <summary>The Annex-B splitter splits the committed media and hand-built streams by the access-unit rules, and survives garbage.</summary>
[TestFixture]
[CancelAfter(120_000)]
public sealed class AnnexBReaderTests
{
    [Test]
    public void ReadFile_H264TestMedia_EveryIdrHasSpsAndPpsBeforeItAndTheExpectedProfile()
    {
        var units = AnnexBReader.ReadFile(TestMedia.H264Path, AnnexBCodec.H264, TestMedia.FramesPerSecond);

        foreach (var unit in units.Where(u => u.IsKeyFrame))
        {
            var types = unit.NalUnits.Select(n => AnnexBReader.NalType(n.Span, AnnexBCodec.H264)).ToList();
            Assert.That(types.IndexOf(7), Is.GreaterThanOrEqualTo(0).And.LessThan(types.IndexOf(5)), $"SPS before IDR in frame {unit.Index}: {string.Join(",", types)}");
            Assert.That(types.IndexOf(8), Is.GreaterThanOrEqualTo(0).And.LessThan(types.IndexOf(5)), $"PPS before IDR in frame {unit.Index}");
            var sps = unit.NalUnits.First(n => AnnexBReader.NalType(n.Span, AnnexBCodec.H264) == 7).Span;
            Assert.That(Convert.ToHexString(sps.Slice(1, 3)), Is.EqualTo(TestMedia.H264SpsProfileLevelId));
        }

        Assert.That(units.Where(u => !u.IsKeyFrame).SelectMany(u => u.NalUnits).Select(n => AnnexBReader.NalType(n.Span, AnnexBCodec.H264)),
            Is.All.EqualTo(1), "non-key frames are single non-IDR slices (no B-frames, no AUDs)");
    }

    [Test]
    public void ReadFile_H265TestMedia_EveryIrapHasVpsSpsPpsBeforeIt()
    {
        var units = AnnexBReader.ReadFile(TestMedia.H265Path, AnnexBCodec.H265, TestMedia.FramesPerSecond);

        foreach (var unit in units.Where(u => u.IsKeyFrame))
        {
            var types = unit.NalUnits.Select(n => AnnexBReader.NalType(n.Span, AnnexBCodec.H265)).ToList();
            Assert.That(types.Take(3), Is.EqualTo(new[] { 32, 33, 34 }), $"VPS, SPS, PPS open keyframe {unit.Index}");
            Assert.That(types.Skip(3), Has.All.InRange(16, 21), "IRAP slices");
        }
    }

    [Test]
    public void Read_Timestamps_FollowTheFrameRate()
    {
        var units = AnnexBReader.ReadFile(TestMedia.H264Path, AnnexBCodec.H264, TestMedia.FramesPerSecond);

        Assert.That(units.Select(u => u.Index), Is.EqualTo(Enumerable.Range(0, units.Count)));
        Assert.That(units[1].Timestamp, Is.EqualTo(TimeSpan.FromTicks(333_333)));
        Assert.That(units[30].Timestamp, Is.EqualTo(TimeSpan.FromSeconds(1)));
        Assert.That(units.Select(u => u.RtpTimestamp()), Is.EqualTo(Enumerable.Range(0, units.Count).Select(i => (uint)(i * 3000))));
    }

    [Test]
    public void Read_H264WithoutAuds_SplitsAtFirstMbZeroAndAtNonVclAfterVcl()
    {
        // SPS PPS IDR(first_mb 0) IDR(first_mb 1, same picture) | SEI P(first_mb 0) P(first_mb 2) | P(first_mb 0) <end>
        byte[] stream =
        [
            0, 0, 0, 1, 0x67, 0x42, 0xC0, 0x1F,
            0, 0, 0, 1, 0x68, 0xCE,
            0, 0, 1, 0x65, 0x88, 0x84,          // ue(v) "1" => first_mb_in_slice 0
            0, 0, 1, 0x65, 0x40, 0x11,          // ue(v) "010" => 1
            0, 0, 0, 1, 0x06, 0x05, 0x01, 0x80,
            0, 0, 1, 0x41, 0x9A, 0x02,
            0, 0, 1, 0x41, 0x60, 0x02,          // "011" => 2
            0, 0, 1, 0x41, 0x9A, 0x00, 0x00,    // trailing zero bytes stay with the unit
        ];

        var units = AnnexBReader.Read(stream, AnnexBCodec.H264, 30);

        Assert.That(units, Has.Count.EqualTo(3));
        Assert.That(units.Select(u => u.IsKeyFrame), Is.EqualTo(new[] { true, false, false }));
        Assert.That(units.Select(u => u.AccessUnit.Length), Is.EqualTo(new[] { 26, 20, 7 }));
        Assert.That(units[0].NalUnits.Select(n => n.Length), Is.EqualTo(new[] { 4, 2, 3, 3 }));
        Assert.That(units[2].NalUnits.Single().ToArray(), Is.EqualTo(new byte[] { 0x41, 0x9A }), "trailing zeros trimmed from the NAL");
    }

    [Test]
    public void Read_H264WithAuds_SplitsAtEveryAud()
    {
        byte[] stream =
        [
            0, 0, 0, 1, 0x09, 0xF0, 0, 0, 1, 0x65, 0x88, 0x80,
            0, 0, 0, 1, 0x09, 0xF0, 0, 0, 1, 0x41, 0x40, 0x80, // first_mb 1 after an AUD: still a new unit
            0, 0, 0, 1, 0x09, 0xF0, 0, 0, 1, 0x41, 0x9A, 0x80,
        ];

        var units = AnnexBReader.Read(stream, AnnexBCodec.H264, 25);

        Assert.That(units.Select(u => u.AccessUnit.Length), Is.EqualTo(new[] { 12, 12, 12 }));
        Assert.That(units[2].Timestamp, Is.EqualTo(TimeSpan.FromMilliseconds(80)));
    }

    [Test]
    public void Read_H265_SplitsAtFirstSliceSegmentFlagAndSuffixSeiStaysInTheUnit()
    {
        byte[] stream =
        [
            0, 0, 0, 1, 0x40, 0x01, 0x0C,       // VPS
            0, 0, 0, 1, 0x42, 0x01, 0x01,       // SPS
            0, 0, 0, 1, 0x44, 0x01, 0xC1,       // PPS
            0, 0, 1, 0x26, 0x01, 0xAF, 0x10,    // IDR_W_RADL, first_slice_segment_in_pic_flag 1
            0, 0, 1, 0x26, 0x01, 0x2F, 0x10,    // IDR_W_RADL, flag 0 (second segment)
            0, 0, 1, 0x50, 0x01, 0x05,          // suffix SEI (40)
            0, 0, 1, 0x02, 0x01, 0xD0, 0x10,    // TRAIL_R, flag 1
        ];

        var units = AnnexBReader.Read(stream, AnnexBCodec.H265, 30);

        Assert.That(units.Select(u => u.IsKeyFrame), Is.EqualTo(new[] { true, false }));
        Assert.That(units[0].NalUnits.Select(n => AnnexBReader.NalType(n.Span, AnnexBCodec.H265)), Is.EqualTo(new[] { 32, 33, 34, 19, 19, 40 }));
        Assert.That(units[1].AccessUnit.Length, Is.EqualTo(7));
    }

    [TestCase(new byte[0], "start code")]
    [TestCase(new byte[] { 1, 2, 3, 4, 5, 6 }, "start code")]
    [TestCase(new byte[] { 0, 0, 1, 0xE5, 0x88 }, "forbidden_zero_bit")]
    [TestCase(new byte[] { 0, 0, 1, 0x67, 0x42, 0, 0, 1, 0x68, 0xCE }, "No coded picture")]
    [TestCase(new byte[] { 0, 0, 1, 0x65 }, "slice header")]
    public void Read_NotAnnexB_ThrowsInvalidDataWithAReason(byte[] data, string reason)
    {
        var ex = Assert.Throws<MediaFormatException>(() => AnnexBReader.Read(data, AnnexBCodec.H264, 30));

        Assert.That(ex!.Message, Does.Contain(reason));
    }

    [TestCase(AnnexBCodec.H264)]
    [TestCase(AnnexBCodec.H265)]
    public void Read_MutatedStreams_ReturnOrThrowInvalidDataQuickly(AnnexBCodec codec)
    {
        var original = File.ReadAllBytes(codec == AnnexBCodec.H264 ? TestMedia.H264Path : TestMedia.H265Path).AsSpan(0, 4096).ToArray();
        var random = new Random(20240601);
        var (parsed, rejected) = (0, 0);
        var watch = Stopwatch.StartNew();
        for (var round = 0; round < 2000; round++)
        {
            var data = original.AsSpan(0, random.Next(original.Length + 1)).ToArray();
            for (var flips = random.Next(1, 8); flips > 0 && data.Length > 0; flips--)
            {
                data[random.Next(data.Length)] = (byte)random.Next(256);
            }

            try
            {
                var units = AnnexBReader.Read(data, codec, 30);
                Assert.That(units.Sum(u => u.AccessUnit.Length), Is.LessThanOrEqualTo(data.Length));
                parsed++;
            }
            catch (MediaFormatException)
            {
                rejected++;
            }
        }

        Assert.That(parsed, Is.GreaterThan(0), "most mutations keep a valid stream");
        Assert.That(rejected, Is.GreaterThan(0), "some mutations (e.g. a cut before the first slice) are rejected");
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
    }
}
