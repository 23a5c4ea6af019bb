using System.Buffers.Binary;
using Kvs.WebRtc.Media;
using Kvs.WebRtc.Testing.Media;
using NUnit.Framework;

namespace Kvs.WebRtc.Tests.Media;

/// <summary>The IVF reader reads the committed VP8 file and rejects broken files with a reason.</summary>
[TestFixture]
[CancelAfter(120_000)]
public sealed class IvfReaderTests
{
    [Test]
    public void ReadFile_Vp8KeyFrames_CarryTheKeyFrameStartCodeAndSize()
    {
        var file = IvfReader.ReadFile(TestMedia.Vp8IvfPath);

        foreach (var frame in file.Frames.Where(f => f.IsKeyFrame))
        {
            // RFC 6386 §9.1: a key frame's 3-byte tag is followed by 9D 01 2A, width and height (14 bits each).
            var span = frame.Data.Span;
            Assert.That(span.Slice(3, 3).ToArray(), Is.EqualTo(new byte[] { 0x9D, 0x01, 0x2A }));
            Assert.That(BinaryPrimitives.ReadUInt16LittleEndian(span[6..]) & 0x3FFF, Is.EqualTo(TestMedia.Width));
            Assert.That(BinaryPrimitives.ReadUInt16LittleEndian(span[8..]) & 0x3FFF, Is.EqualTo(TestMedia.Height));
        }
    }

    [TestCase(new byte[] { 0x82, 0x49, 0x83 }, true, TestName = "IsKeyFrame_Vp9Profile0KeyFrame_True")]
    [TestCase(new byte[] { 0x86, 0x00 }, false, TestName = "IsKeyFrame_Vp9Profile0InterFrame_False")]
    [TestCase(new byte[] { 0x88 }, false, TestName = "IsKeyFrame_Vp9ShowExistingFrame_False")]
    [TestCase(new byte[] { 0xB0, 0x00 }, true, TestName = "IsKeyFrame_Vp9Profile3KeyFrame_True")]
    [TestCase(new byte[] { 0xB2, 0x00 }, false, TestName = "IsKeyFrame_Vp9Profile3InterFrame_False")]
    public void IsKeyFrame_Vp9Headers(byte[] frame, bool expected)
    {
        Assert.That(IvfReader.IsKeyFrame("VP90", frame), Is.EqualTo(expected));
    }

    [Test]
    public void Read_Garbage_ThrowsInvalidDataWithAReason()
    {
        var valid = File.ReadAllBytes(TestMedia.Vp8IvfPath);
        var badMagic = valid.ToArray();
        badMagic[0] = (byte)'X';
        var zeroTimebase = valid.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(zeroTimebase.AsSpan(16), 0);
        var hugeFrame = valid.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(hugeFrame.AsSpan(32), uint.MaxValue);

        Assert.Multiple(() =>
        {
            Assert.That(() => IvfReader.Read(Array.Empty<byte>()), Throws.TypeOf<MediaFormatException>().With.Message.Contains("DKIF"));
            Assert.That(() => IvfReader.Read(badMagic), Throws.TypeOf<MediaFormatException>().With.Message.Contains("DKIF"));
            Assert.That(() => IvfReader.Read(zeroTimebase), Throws.TypeOf<MediaFormatException>().With.Message.Contains("timebase"));
            Assert.That(() => IvfReader.Read(hugeFrame), Throws.TypeOf<MediaFormatException>().With.Message.Contains("runs past the end"));
            Assert.That(() => IvfReader.Read(valid.AsMemory(0, valid.Length - 1)), Throws.TypeOf<MediaFormatException>().With.Message.Contains("runs past the end"));
            Assert.That(() => IvfReader.Read(valid.AsMemory(0, 40)), Throws.TypeOf<MediaFormatException>().With.Message.Contains("truncated frame header"));
        });
    }

    [Test]
    public void Read_MutatedFiles_ReturnOrThrowInvalidData()
    {
        var original = File.ReadAllBytes(TestMedia.Vp8IvfPath);
        var random = new Random(7);
        var (parsed, rejected) = (0, 0);
        for (var round = 0; round < 1000; round++)
        {
            var data = original.AsSpan(0, random.Next(original.Length + 1)).ToArray();
            for (var flips = random.Next(1, 4); flips > 0 && data.Length > 0; flips--)
            {
                // Hit the headers often: the first 64 bytes in half the rounds.
                var at = random.Next(2) == 0 ? random.Next(Math.Min(64, data.Length)) : random.Next(data.Length);
                data[at] = (byte)random.Next(256);
            }

            try
            {
                var file = IvfReader.Read(data);
                Assert.That(file.Frames.Sum(f => f.Data.Length + 12), Is.LessThanOrEqualTo(data.Length));
                parsed++;
            }
            catch (MediaFormatException)
            {
                rejected++;
            }
        }

        Assert.That(parsed, Is.GreaterThan(0), "mutations inside frame data keep a readable file");
        Assert.That(rejected, Is.GreaterThan(0), "truncations and header damage are rejected");
    }
}
