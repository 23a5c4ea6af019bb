using System.Buffers.Binary;
using Kvs.WebRtc.Media;
using Kvs.WebRtc.Testing.Media;
using NUnit.Framework;

namespace Kvs.WebRtc.Tests.Media;

/// <summary>The Ogg Opus reader handles lacing across pages, and rejects broken files.</summary>
[TestFixture]
[CancelAfter(120_000)]
public sealed class OggOpusReaderTests
{
    [TestCase(new byte[] { 0 << 3 }, 480)]                 // SILK NB 10 ms, one frame
    [TestCase(new byte[] { (3 << 3) | 1 }, 5760)]          // SILK NB 60 ms, two frames
    [TestCase(new byte[] { (9 << 3) | 2, 5 }, 1920)]       // SILK WB 20 ms, two frames of different sizes
    [TestCase(new byte[] { 14 << 3 }, 480)]                // Hybrid FB 10 ms
    [TestCase(new byte[] { 15 << 3 }, 960)]                // Hybrid FB 20 ms
    [TestCase(new byte[] { 16 << 3 }, 120)]                // CELT NB 2.5 ms
    [TestCase(new byte[] { (31 << 3) | 4 }, 960)]          // CELT FB 20 ms, stereo flag
    [TestCase(new byte[] { (31 << 3) | 3, 3 }, 2880)]      // code 3: three 20 ms frames
    [TestCase(new byte[] { (28 << 3) | 3, 0x80 | 48 }, 5760)] // code 3: 48 x 2.5 ms, VBR flag
    public void TryGetDurationSamples_Toc_GivesRfc6716Duration(byte[] packet, int samples)
    {
        Assert.That(OggOpusReader.TryGetDurationSamples(packet, out var actual), Is.True);
        Assert.That(actual, Is.EqualTo(samples));
    }

    [TestCase(new byte[0], TestName = "TryGetDurationSamples_Empty_False")]
    [TestCase(new byte[] { (31 << 3) | 3 }, TestName = "TryGetDurationSamples_Code3WithoutCount_False")]
    [TestCase(new byte[] { (31 << 3) | 3, 0 }, TestName = "TryGetDurationSamples_Code3CountZero_False")]
    [TestCase(new byte[] { (3 << 3) | 3, 3 }, TestName = "TryGetDurationSamples_MoreThan120Ms_False")]
    public void TryGetDurationSamples_Invalid(byte[] packet)
    {
        Assert.That(OggOpusReader.TryGetDurationSamples(packet, out _), Is.False);
    }

    [Test]
    public void Read_PacketContinuedAcrossPages_IsReassembled()
    {
        var big = Enumerable.Range(0, 600).Select(i => (byte)i).ToArray();
        big[0] = (31 << 3) | 3; // code 3, 3 frames of 20 ms
        big[1] = 3;
        byte[] small = [31 << 3, 0xAA];
        var file = OggPageWriter.Build(
            OggPageWriter.Page(0x02, 0, [Head()], 0),
            OggPageWriter.Page(0x00, 0, [Tags()], 1),
            OggPageWriter.Page(0x00, 0, [big.AsSpan(0, 510).ToArray()], 2, endsOpen: true),
            OggPageWriter.Page(0x01 | 0x04, 3840, [big.AsSpan(510).ToArray(), small], 3));

        var result = OggOpusReader.Read(file);

        Assert.That(result.Packets, Has.Count.EqualTo(2));
        Assert.That(result.Packets[0].Data.ToArray(), Is.EqualTo(big));
        Assert.That(result.Packets[1].Data.ToArray(), Is.EqualTo(small));
        Assert.That(result.Packets.Select(p => p.Timestamp48K), Is.EqualTo(new long[] { 0, 2880 }));
    }

    [Test]
    public void Read_ExactlyLacedPacket_EndsWithAZeroLacingValue()
    {
        var exact = new byte[255];
        exact[0] = 31 << 3;
        var file = OggPageWriter.Build(
            OggPageWriter.Page(0x02, 0, [Head()], 0),
            OggPageWriter.Page(0x00, 0, [Tags()], 1),
            OggPageWriter.Page(0x04, 960, [exact], 2));

        var result = OggOpusReader.Read(file);

        Assert.That(result.Packets.Single().Data.Length, Is.EqualTo(255));
    }

    [Test]
    public void Read_BrokenFiles_ThrowInvalidDataWithAReason()
    {
        var valid = File.ReadAllBytes(TestMedia.OpusOggPath);
        var badCrc = valid.ToArray();
        badCrc[^1] ^= 0x01;
        var secondPage = valid.AsSpan(4).IndexOf("OggS"u8) + 4;
        var thirdPage = valid.AsSpan(secondPage + 4).IndexOf("OggS"u8) + secondPage + 4;
        var fourthPage = valid.AsSpan(thirdPage + 4).IndexOf("OggS"u8) + thirdPage + 4;
        var missingPage = valid.AsSpan(0, thirdPage).ToArray().Concat(valid.AsSpan(fourthPage).ToArray()).ToArray();
        var notOpus = OggPageWriter.Build(OggPageWriter.Page(0x02, 0, ["OpusHeaX-------------"u8.ToArray()], 0));

        Assert.Multiple(() =>
        {
            Assert.That(() => OggOpusReader.Read(Array.Empty<byte>()), Throws.TypeOf<MediaFormatException>().With.Message.Contains("OpusHead"));
            Assert.That(() => OggOpusReader.Read(new byte[100]), Throws.TypeOf<MediaFormatException>().With.Message.Contains("OggS"));
            Assert.That(() => OggOpusReader.Read(badCrc), Throws.TypeOf<MediaFormatException>().With.Message.Contains("CRC"));
            Assert.That(() => OggOpusReader.Read(valid.AsMemory(0, valid.Length - 10)), Throws.TypeOf<MediaFormatException>().With.Message.Contains("runs past the end"));
            Assert.That(() => OggOpusReader.Read(missingPage), Throws.TypeOf<MediaFormatException>().With.Message.Contains("a page is missing"));
            Assert.That(() => OggOpusReader.Read(notOpus), Throws.TypeOf<MediaFormatException>().With.Message.Contains("OpusHead"));
        });
    }

    [Test]
    public void Read_MutatedFiles_ReturnOrThrowInvalidData()
    {
        var original = File.ReadAllBytes(TestMedia.OpusOggPath);
        var random = new Random(42);
        var rejected = 0;
        for (var round = 0; round < 1000; round++)
        {
            var data = original.ToArray();
            data[random.Next(data.Length)] = (byte)random.Next(256);
            try
            {
                _ = OggOpusReader.Read(data);
            }
            catch (MediaFormatException)
            {
                rejected++;
            }
        }

        // The CRC covers every byte of a page, so every real change is caught (only a no-op "mutation" parses).
        Assert.That(rejected, Is.GreaterThan(990));
    }

    private static byte[] Head()
    {
        var head = new byte[19];
        "OpusHead"u8.CopyTo(head);
        head[8] = 1;
        head[9] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(head.AsSpan(10), 312);
        BinaryPrimitives.WriteUInt32LittleEndian(head.AsSpan(12), 48_000);
        return head;
    }

    private static byte[] Tags() => [.. "OpusTags"u8, 4, 0, 0, 0, .. "test"u8, 0, 0, 0, 0];
}
