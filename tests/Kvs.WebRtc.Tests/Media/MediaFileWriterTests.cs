using Kvs.WebRtc.Media;
using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.Testing.Media;
using NUnit.Framework;

namespace Kvs.WebRtc.Tests.Media;

/// <summary>Recorded files read back with the readers: IVF, Ogg Opus, Annex-B.</summary>
[TestFixture]
[CancelAfter(30_000)]
public sealed class MediaFileWriterTests
{
    [TestCase("video/H264", ".h264")]
    [TestCase("video/H265", ".h265")]
    [TestCase("video/VP8", ".ivf")]
    [TestCase("video/VP9", ".ivf")]
    [TestCase("audio/opus", ".ogg")]
    [TestCase("audio/PCMU", ".ulaw")]
    [TestCase("audio/PCMA", ".alaw")]
    public void GetExtension_EachCodec(string mimeType, string extension) =>
        Assert.That(MediaFileWriter.GetExtension(new RTCRtpCodec(mimeType, 90000)), Is.EqualTo(extension));

    [Test]
    public void GetExtension_UnknownCodec_Throws() =>
        Assert.That(() => MediaFileWriter.GetExtension(new RTCRtpCodec("video/AV1", 90000)), Throws.ArgumentException);

    [Test]
    public async Task WriteAsync_ReceivedVp8Frames_ReadBackAsIvfWithRtpTimes()
    {
        var frames = IvfReader.ReadFile(TestMedia.Vp8IvfPath).Frames;
        using var memory = new MemoryStream();
        var writer = await MediaFileWriter.CreateAsync(memory, RTCRtpCodec.Vp8, leaveOpen: true);
        await using (writer)
        {
            foreach (var frame in frames)
            {
                // As received: RTP timestamps at 90 kHz from a random start that wraps.
                await writer.WriteAsync(new EncodedFrame(frame.Data, default, frame.IsKeyFrame) { RtpTimestamp = unchecked(uint.MaxValue - 30_000 + frame.RtpTimestamp()) });
            }
        }

        var file = IvfReader.Read(memory.ToArray());

        Assert.That(file.FourCc, Is.EqualTo("VP80"));
        Assert.That(file.HeaderFrameCount, Is.EqualTo(150));
        Assert.That(file.Frames.Select(f => f.Data.ToArray()), Is.EqualTo(frames.Select(f => f.Data.ToArray())));
        Assert.That(file.Frames.Select(f => f.Timestamp.TotalMilliseconds), Is.EqualTo(frames.Select(f => f.Timestamp.TotalMilliseconds)).Within(0.02));
    }

    [Test]
    public async Task WriteAsync_OpusPackets_ReadBackAsOggOpus()
    {
        var packets = OggOpusReader.ReadFile(TestMedia.OpusOggPath).Packets;
        var path = Path.Combine(Path.GetTempPath(), $"kvs-rec-{Guid.NewGuid():N}.ogg");
        try
        {
            var writer = await MediaFileWriter.CreateAsync(path, RTCRtpCodec.Opus);
            await using (writer)
            {
                foreach (var packet in packets)
                {
                    await writer.WriteAsync(new EncodedFrame(packet.Data, packet.Duration, true));
                }

                Assert.That(writer.FramesWritten, Is.EqualTo(packets.Count));
            }

            var file = OggOpusReader.ReadFile(path);

            Assert.That(file.Channels, Is.EqualTo(2));
            Assert.That(file.Packets.Select(p => p.Data.ToArray()), Is.EqualTo(packets.Select(p => p.Data.ToArray())));
            Assert.That(file.FinalGranulePosition, Is.EqualTo(packets.Sum(p => (long)p.DurationSamples)));
            var last = File.ReadAllBytes(path);
            Assert.That(last[last.Length - (27 + 1 + packets[^1].Data.Length) + 5] & 0x04, Is.EqualTo(0x04), "the last page ends the stream");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public async Task WriteAsync_H264AccessUnits_AreTheAnnexBStream()
    {
        var data = File.ReadAllBytes(TestMedia.H264Path);
        var units = AnnexBReader.Read(data, AnnexBCodec.H264, 30);
        using var memory = new MemoryStream();
        var writer = await MediaFileWriter.CreateAsync(memory, RTCRtpCodec.H264, leaveOpen: true);
        await using (writer)
        {
            foreach (var unit in units)
            {
                await writer.WriteAsync(new EncodedFrame(unit.AccessUnit, unit.Timestamp, unit.IsKeyFrame));
            }

            await writer.WriteAsync(new EncodedFrame(ReadOnlyMemory<byte>.Empty, default, false));
        }

        Assert.That(memory.ToArray(), Is.EqualTo(data));
        Assert.That(() => writer.WriteAsync(new EncodedFrame(data, default, true)).AsTask(), Throws.TypeOf<ObjectDisposedException>());
    }
}
