using Kvs.WebRtc.PeerConnection.Codecs;
using NUnit.Framework;
using static Kvs.WebRtc.PeerConnection.Tests.Codecs.CodecTestData;

namespace Kvs.WebRtc.PeerConnection.Tests.Codecs;

[TestFixture]
public sealed class H264PayloaderTests
{
    private static List<byte[]> Payloads(RtpPayloader payloader, byte[] frame, int mtu) =>
        Packetize(payloader, frame, 0, mtu).Select(p => p.Payload).ToList();

    [Test]
    public void TryWriteNext_LargeNal_FuAFragmentsAsPionVector()
    {
        // pion/rtp codecs/h264_packet_test.go: a 16-byte NAL (header 0x00) at MTU 5.
        byte[] frame = [0x00, 0x00, 0x01, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15];
        var payloads = Payloads(new H264Payloader(), frame, 5);
        Assert.That(payloads, Is.EqualTo(new[]
        {
            new byte[] { 0x1c, 0x80, 0x01, 0x02, 0x03 },
            new byte[] { 0x1c, 0x00, 0x04, 0x05, 0x06 },
            new byte[] { 0x1c, 0x00, 0x07, 0x08, 0x09 },
            new byte[] { 0x1c, 0x00, 0x10, 0x11, 0x12 },
            new byte[] { 0x1c, 0x40, 0x13, 0x14, 0x15 },
        }));
    }

    [Test]
    public void TryWriteNext_SpsPpsBeforeLargeIdr_StapAThenFuAKeepingNriAndType()
    {
        var idr = NalBody(new Random(1), 0x65, 3000);
        var payloads = Payloads(new H264Payloader(), AnnexB(Sps, Pps, idr), 1200);

        // STAP-A: NRI 3 (max of SPS/PPS), type 24, then 2-byte sizes (pion's vector bytes).
        Assert.That(payloads[0], Is.EqualTo(new byte[]
        {
            0x78, 0x00, 0x0f, 0x67, 0x42, 0xc0, 0x1f, 0x1a, 0x32, 0x35, 0x01, 0x40, 0x7a, 0x40, 0x3c, 0x22, 0x11, 0xa8,
            0x00, 0x05, 0x68, 0x1a, 0x34, 0xe3, 0xc8,
        }));
        Assert.That(payloads.Skip(1).Select(p => p[0]), Is.All.EqualTo(0x7C), "FU indicator: NRI 3 of the IDR, type 28");
        Assert.That(payloads[1][1], Is.EqualTo(0x85), "S bit and type 5");
        Assert.That(payloads.Skip(2).SkipLast(1).Select(p => p[1]), Is.All.EqualTo(0x05));
        Assert.That(payloads[^1][1], Is.EqualTo(0x45), "E bit and type 5");
        Assert.That(payloads.Sum(p => p.Length) - 1 - 2 * (payloads.Count - 1), Is.EqualTo(24 + 3000 - 1 + 0), "all bytes carried once");
    }

    [Test]
    public void BeginFrame_IdrWithoutParameterSets_GetsCachedOnesInFront()
    {
        var payloader = new H264Payloader();
        var random = new Random(2);
        Payloads(payloader, AnnexB(Sps, Pps, NalBody(random, 0x65, 500)), 1200);
        Assert.That(payloader.LastFrameFlags, Is.EqualTo(RtpPayloaderFrameFlags.KeyFrame));

        var delta = Payloads(payloader, AnnexB(NalBody(random, 0x41, 500)), 1200);
        Assert.That(delta.Single()[0], Is.EqualTo(0x41), "P frames get no parameter sets");

        var idr = NalBody(random, 0x65, 2000);
        var payloads = Payloads(payloader, AnnexB(idr), 1200);
        Assert.That(payloader.LastFrameFlags, Is.EqualTo(RtpPayloaderFrameFlags.KeyFrame | RtpPayloaderFrameFlags.ParameterSetsInserted));
        Assert.That(payloads[0][0], Is.EqualTo(0x78), "STAP-A first");
        Assert.That(payloads[0].AsSpan(3, Sps.Length).ToArray(), Is.EqualTo(Sps));
        Assert.That(payloads[1][1], Is.EqualTo(0x85), "then the IDR's FU-A start");
    }

    [Test]
    public void BeginFrame_IdrNeverPrecededByParameterSets_FlaggedButSent()
    {
        var payloader = new H264Payloader();
        var payloads = Payloads(payloader, AnnexB(NalBody(new Random(3), 0x65, 100)), 1200);
        Assert.That(payloader.LastFrameFlags, Is.EqualTo(RtpPayloaderFrameFlags.KeyFrame | RtpPayloaderFrameFlags.MissingParameterSets));
        Assert.That(payloads, Has.Count.EqualTo(1));
        Assert.That(payloader.HasParameterSets, Is.False);
    }

    [Test]
    public void BeginFrame_NewSpsInFrame_ReplacesCachedOne()
    {
        var payloader = new H264Payloader();
        Payloads(payloader, AnnexB(Sps, Pps, [0x65, 1]), 1200);
        byte[] newSps = [0x67, 0x64, 0x00, 0x28, 0xAC];
        Payloads(payloader, AnnexB(newSps, [0x41, 1]), 1200);
        var payloads = Payloads(payloader, AnnexB([0x65, 2]), 1200);
        Assert.That(payloads.Single(), Is.EqualTo((byte[])[0x78, 0, 5, .. newSps, 0, 5, .. Pps, 0, 2, 0x65, 2]));
    }

    [Test]
    public void BeginFrame_ThreeAndFourByteStartCodesAndTrailingZeros_SameNalUnits()
    {
        byte[] frame = [0, 0, 0, 1, 0x09, 0xF0, 0, 0, 1, .. Sps, 0, 0, 0, 0, 1, .. Pps, 0, 0, 1, 0x65, 0xAA, 0xBB, 0, 0];
        var payloads = Payloads(new H264Payloader(), frame, 1200);
        Assert.That(payloads.Single(), Is.EqualTo((byte[])[0x78, 0, 15, .. Sps, 0, 5, .. Pps, 0, 3, 0x65, 0xAA, 0xBB]),
            "AUD dropped, trailing zeros trimmed, everything aggregated");
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(4)]
    public void BeginFrame_LengthPrefixed_SameAsAnnexB(int lengthSize)
    {
        var random = new Random(lengthSize);
        byte[][] nals = [Sps, Pps, NalBody(random, 0x65, lengthSize == 1 ? 200 : 3000)];
        var avcc = new List<byte>();
        foreach (var nal in nals)
        {
            for (var i = lengthSize - 1; i >= 0; i--)
            {
                avcc.Add((byte)(nal.Length >> (8 * i)));
            }

            avcc.AddRange(nal);
        }

        var fromAvcc = Payloads(new H264Payloader(NalUnitStreamFormat.LengthPrefixed, lengthSize), [.. avcc], 1200);
        var fromAnnexB = Payloads(new H264Payloader(), AnnexB(nals), 1200);
        Assert.That(fromAvcc, Is.EqualTo(fromAnnexB));
    }

    [Test]
    public void BeginFrame_TruncatedLengthPrefix_RejectedAsMalformed()
    {
        var payloader = new H264Payloader(NalUnitStreamFormat.LengthPrefixed, 4);
        payloader.BeginFrame(new byte[] { 0, 0, 0, 9, 0x65, 1 });
        Assert.That(payloader.LastFrameRejected, Is.True);
        Assert.That(payloader.LastFrameFlags, Is.EqualTo(RtpPayloaderFrameFlags.Malformed));
        Assert.That(payloader.TryWriteNext(new byte[1200], 1200, out _, out _), Is.False);
        Assert.That(payloader.FramesRejected, Is.EqualTo(1));
    }

    [Test]
    public void BeginFrame_EmptyOrOnlyStartCodes_RejectedAsEmpty()
    {
        var payloader = new H264Payloader();
        payloader.BeginFrame(Array.Empty<byte>());
        Assert.That(payloader.LastFrameFlags, Is.EqualTo(RtpPayloaderFrameFlags.Empty));
        payloader.BeginFrame(new byte[] { 0, 0, 0, 1, 0, 0, 1 });
        Assert.That(payloader.LastFrameFlags, Is.EqualTo(RtpPayloaderFrameFlags.Empty));
        Assert.That(payloader.TryWriteNext(new byte[100], 100, out _, out _), Is.False);
    }

    [Test]
    public void TryWriteNext_PayloadSizeTooSmallForFuA_AbandonsFrameAsTruncated()
    {
        var payloader = new H264Payloader();
        payloader.BeginFrame(AnnexB([0x65, 1, 2, 3]));
        Assert.That(payloader.TryWriteNext(new byte[2], 2, out _, out _), Is.False);
        Assert.That(payloader.LastFrameFlags.HasFlag(RtpPayloaderFrameFlags.Truncated), Is.True);
    }

    [Test]
    public void TryWriteNext_SteadyState100KbAccessUnits_AllocatesNothing()
    {
        var random = new Random(5);
        var idr = AnnexB(Sps, Pps, NalBody(random, 0x65, 100_000));
        var delta = AnnexB(NalBody(random, 0x41, 20_000));
        var payloader = new H264Payloader();
        var buffer = new byte[1200];
        var count = 0;
        void Send(byte[] frame)
        {
            payloader.BeginFrame(frame);
            while (payloader.TryWriteNext(buffer, 1200, out var written, out _))
            {
                count += written > 0 ? 1 : 0;
            }
        }

        Send(idr);
        Send(delta);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 20; i++)
        {
            Send(idr);
            Send(delta);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(allocated, Is.Zero);
        Assert.That(count, Is.GreaterThan(20 * 100));
    }
}
