using Kvs.WebRtc.PeerConnection.Codecs;
using NUnit.Framework;
using static Kvs.WebRtc.PeerConnection.Tests.Codecs.CodecTestData;

namespace Kvs.WebRtc.PeerConnection.Tests.Codecs;

[TestFixture]
public sealed class H265PayloaderTests
{
    [Test]
    public void TryWriteNext_ParameterSetsAndLargeIdr_ApThenFragmentationUnits()
    {
        var idr = NalBody(new Random(1), 0x26, 3000);
        idr[1] = 0x01;
        var payloads = Packetize(new H265Payloader(), AnnexB(Vps265, Sps265, Pps265, idr), 0, 1200).Select(p => p.Payload).ToList();

        // AP (RFC 7798 §4.4.2): PayloadHdr type 48, LayerId 0, TID 1; then size-prefixed VPS, SPS, PPS.
        Assert.That(payloads[0], Is.EqualTo((byte[])[0x60, 0x01, 0, 6, .. Vps265, 0, 6, .. Sps265, 0, 4, .. Pps265]));

        // FU (§4.4.3): PayloadHdr type 49 with the NAL's layer and TID, FU header S/E + type 19.
        Assert.That(payloads[1].Take(3), Is.EqualTo(new byte[] { 0x62, 0x01, 0x80 | 19 }));
        Assert.That(payloads[2].Take(3), Is.EqualTo(new byte[] { 0x62, 0x01, 19 }));
        Assert.That(payloads[^1].Take(3), Is.EqualTo(new byte[] { 0x62, 0x01, 0x40 | 19 }));
    }

    [Test]
    public void BeginFrame_IrapWithoutParameterSets_GetsCachedOnes()
    {
        var payloader = new H265Payloader();
        Packetize(payloader, AnnexB(Vps265, Sps265, Pps265, [0x26, 0x01, 0xAA]), 0, 1200);
        var payloads = Packetize(payloader, AnnexB([0x2A, 0x01, 0xBB]), 0, 1200).Select(p => p.Payload).ToList();
        Assert.That(payloader.LastFrameFlags, Is.EqualTo(RtpPayloaderFrameFlags.KeyFrame | RtpPayloaderFrameFlags.ParameterSetsInserted), "CRA is IRAP");
        Assert.That(payloads.Single()[0], Is.EqualTo(0x60));

        var fresh = new H265Payloader();
        Packetize(fresh, AnnexB([0x26, 0x01, 0xAA]), 0, 1200);
        Assert.That(fresh.LastFrameFlags, Is.EqualTo(RtpPayloaderFrameFlags.KeyFrame | RtpPayloaderFrameFlags.MissingParameterSets));
    }

    [Test]
    public void Depacketizer_ApAndFu_AnnexBOutputAndIrapKey()
    {
        using var assembler = new RtpFrameAssembler(new H265Depacketizer());
        assembler.Push(1, 0, false, [0x60, 0x01, 0, 6, .. Vps265, 0, 6, .. Sps265, 0, 4, .. Pps265]);
        assembler.Push(2, 0, false, [0x62, 0x01, 0x80 | 19, 0xA1]);
        assembler.Push(3, 0, true, [0x62, 0x01, 0x40 | 19, 0xA2]);
        Assert.That(assembler.TryReadFrame(out var frame), Is.True);
        Assert.That(frame.IsKeyFrame, Is.True);
        Assert.That(frame.Data.ToArray(), Is.EqualTo(AnnexB(Vps265, Sps265, Pps265, [0x26, 0x01, 0xA1, 0xA2])));
    }

    [Test]
    public void Depacketizer_PaciUnsupportedAndFuWithoutStartDropped()
    {
        using var assembler = new RtpFrameAssembler(new H265Depacketizer());
        assembler.Push(1, 0, true, [0x64, 0x01, 0, 0, 0]);
        assembler.Push(2, 3000, false, [0x26, 0x01, 0x55]);
        assembler.Push(3, 3000, true, [0x62, 0x01, 19, 0xA2]);
        Assert.That(assembler.PacketsUnsupported, Is.EqualTo(1));
        Assert.That(assembler.PacketsFragmentWithoutStart, Is.EqualTo(1));
        Assert.That(assembler.FramesCompleted, Is.Zero);
    }
}
