using System.Buffers.Binary;
using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.PeerConnection.Sdp;
using Kvs.WebRtc.PeerConnection.Srtp;
using Kvs.WebRtc.PeerConnection.Tests.PeerConnection;
using Kvs.WebRtc.PeerConnection.Tests.Sdp;
using Kvs.WebRtc.Testing;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using NUnit.Framework.Constraints;

namespace Kvs.WebRtc.PeerConnection.Tests.Media;

/// <summary>
/// The media "bad input" guarantees between two connected peers: hostile plaintext RTP/RTCP inside valid SRTP is
/// dropped and counted, memory stays bounded, nothing throws on the receive path and good frames keep coming; a
/// section we cannot accept is rejected and logged at Warning; impossible API calls throw a typed <see cref="WebRtcException"/>.
/// </summary>
[TestFixture]
public sealed class RTCPeerConnectionBadInputTests
{
    [Test]
    public async Task HostileRtp_InsideValidSrtp_DroppedAndCountedAndTheStreamKeepsDelivering()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = cts.Token;
        await using var pair = new PeerPair();
        var (injector, track, reader) = await ConnectAndDeliverKeyFrameAsync(pair, SyntheticH264.KeyFrame(3000, 1), ct);
        await using var frames = reader;
        var unroutable = pair.B.RtpPacketsUnroutable;
        var dropped = track.FramesDropped;
        var received = pair.B.TransportForTests.SrtpCounters.PacketsReceived;

        // Unknown payload type on the announced SSRC; unknown SSRCs with the right payload type.
        Assert.That(injector.SendRtp(injector.Packet([0x41, 1, 2, 3], marker: false), payloadType: 77), Is.True);
        for (var i = 0u; i < 10; i++)
        {
            injector.SendRtp(injector.Packet([0x41, 1, 2, 3], marker: false), ssrc: 0x5EED_0000 + i);
        }

        // Padding longer than the payload.
        var padded = injector.Packet([0x41, 0, 0, 200], marker: false);
        padded[0] |= 0x20;
        injector.SendRtp(padded);

        // A one-byte header extension block full of nonsense (id 15, lengths past the block), then an FU-A middle fragment.
        var extended = new byte[12 + 8 + 3];
        injector.Packet([], marker: false).CopyTo(extended, 0);
        extended[0] |= 0x10;
        BinaryPrimitives.WriteUInt16BigEndian(extended.AsSpan(12), 0xBEDE);
        BinaryPrimitives.WriteUInt16BigEndian(extended.AsSpan(14), 1);
        extended.AsSpan(16, 4).Fill(0xFF);
        new byte[] { 0x7C, 0x05, 0xAA }.CopyTo(extended, 20);
        injector.SendRtp(extended);

        // FU-A without a start fragment: middle and end fragments of an IDR only.
        injector.Timestamp += 3000;
        injector.SendRtp(injector.Packet([0x7C, 0x05, 1, 2, 3, 4], marker: false));
        injector.SendRtp(injector.Packet([0x7C, 0x45, 5, 6, 7, 8], marker: true));

        // An oversized NAL unit: an FU-A that never ends, past the 4 MiB frame limit.
        injector.Timestamp += 3000;
        var fragment = new byte[1100];
        fragment[0] = 0x7C;
        fragment[1] = 0x85;
        var oversized = new List<Func<bool>> { () => injector.SendRtp(injector.Packet(fragment, marker: false)) };
        var middle = (byte[])fragment.Clone();
        middle[1] = 0x05;
        oversized.AddRange(Enumerable.Range(0, (4 * 1024 * 1024 / 1098) + 16).Select(_ => (Func<bool>)(() => injector.SendRtp(injector.Packet(middle, marker: false)))));
        await injector.SendPacedAsync(oversized, ct);

        Assert.That(pair.B.TransportForTests.SrtpCounters.PacketsReceived - received, Is.GreaterThan(3800), "the garbage passed SRTP and reached the parsers");
        Assert.That(pair.B.RtpPacketsUnroutable - unroutable, Is.GreaterThanOrEqualTo(12), "unknown payload type, 10 unknown SSRCs, bad padding");
        Assert.That(track.FramesDropped - dropped, Is.GreaterThanOrEqualTo(2), "the FU-A without start and the oversized frame");

        var second = SyntheticH264.KeyFrame(5000, 2);
        var delta = SyntheticH264.Delta(800, 3);
        injector.SendH264Frame(second);
        injector.SendH264Frame(delta);
        Assert.That(await NextFrameAsync(frames), Is.EqualTo(second));
        Assert.That(await NextFrameAsync(frames), Is.EqualTo(delta));
        Assert.That((pair.A.ConnectionState, pair.B.ConnectionState), Is.EqualTo((RTCPeerConnectionState.Connected, RTCPeerConnectionState.Connected)));
    }

    [Test]
    public async Task MalformedRtp_TheSendingTransportRefusesWhatSrtpCannotProtect_WithoutThrowing()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var pair = new PeerPair();
        var (injector, _) = await ConnectVideoAsync(pair, cts.Token);
        var csrcs = new byte[16];
        csrcs[0] = 0x8F; // 15 CSRCs announced, none present
        var extension = new byte[20];
        extension[0] = 0x90;
        BinaryPrimitives.WriteUInt16BigEndian(extension.AsSpan(14), 200); // 800 extension bytes announced
        var version1 = new byte[20];
        version1[0] = 0x40;

        Assert.That(injector.SendRtp(new byte[8] { 0x80, 0, 0, 1, 0, 0, 0, 1 }), Is.False, "truncated to 8 bytes");
        Assert.That(injector.SendRtp(csrcs), Is.False);
        Assert.That(injector.SendRtp(extension), Is.False);
        Assert.That(injector.SendRtp(version1), Is.False);
        Assert.That(injector.SendRtp(new byte[70_000]), Is.False, "larger than a datagram");
        Assert.That(injector.SendRtcp(new byte[7]), Is.False, "shorter than an RTCP header");
        Assert.That(pair.A.ConnectionState, Is.EqualTo(RTCPeerConnectionState.Connected));
    }

    [Test]
    public async Task HostileRtcp_ImpossibleLengthsTruncatedFeedbackAndFuzz_ReachTheParserAndNothingBreaks()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = cts.Token;
        // A's own RTCP reports would add to B's packet count below: only the injected packets are counted.
        await using var pair = new PeerPair(new RTCPeerConnectionOptions { RtcpReportInterval = Timeout.InfiniteTimeSpan });
        var (injector, _, reader) = await ConnectAndDeliverKeyFrameAsync(pair, SyntheticH264.KeyFrame(2000, 4), ct);
        await using var frames = reader;
        var received = pair.B.TransportForTests.SrtpCounters.PacketsReceived;
        var ssrc = injector.Ssrc;

        var hostile = new List<byte[]>
        {
            Rtcp(0x81, 201, 0xFFFF, ssrc, 24), // receiver report claiming 256 KiB
            Rtcp(0x81, 206, 2, ssrc, 0), // PLI header without its media SSRC
            Rtcp(0x84, 206, 10, ssrc, 12), // FIR claiming 10 words, carrying 3
            Rtcp(0x84, 206, 3, ssrc, 8), // FIR with a 4-byte FCI
            Rtcp(0xA1, 201, 1, ssrc, 4), // padding bit with no room for padding
            Rtcp(0x80, 201, 1, ssrc, 0).Concat(new byte[] { 0x00, 0xC8, 0x00, 0x00 }).ToArray(), // a valid RR, then a version-0 header
            Rtcp(0x81, 206, 2, ssrc, 4, mediaSsrc: 0xABCD_EF01), // PLI for an SSRC nobody sends
            Rtcp(0x80, 200, 0, ssrc, 0), // a sender report without sender info
        };
        var random = new Random(8829);
        for (var i = 0; i < 2000; i++)
        {
            var packet = new byte[8 + random.Next(0, 120)];
            random.NextBytes(packet);
            packet[0] = (byte)(0x80 | (packet[0] & 0x3F));
            packet[1] = (byte)(200 + random.Next(0, 7));
            BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), ssrc);
            hostile.Add(packet);
        }

        var accepted = await injector.SendPacedAsync(hostile.Select(p => (Func<bool>)(() => injector.SendRtcp(p))), ct);

        Assert.That(accepted, Is.EqualTo(hostile.Count), "all of it is valid SRTCP");
        Assert.That(pair.B.TransportForTests.SrtpCounters.PacketsReceived - received, Is.EqualTo(accepted), "and all of it reached the RTCP parser");
        var second = SyntheticH264.KeyFrame(2500, 5);
        injector.SendH264Frame(second);
        Assert.That(await NextFrameAsync(frames), Is.EqualTo(second));
        Assert.That((pair.A.ConnectionState, pair.B.ConnectionState), Is.EqualTo((RTCPeerConnectionState.Connected, RTCPeerConnectionState.Connected)));
    }

    [Test]
    public async Task SsrcFlood_100kRandomSsrcs_CountedWithBoundedMemoryAndTheStreamSurvives()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = cts.Token;
        await using var pair = new PeerPair();
        var (injector, track, reader) = await ConnectAndDeliverKeyFrameAsync(pair, SyntheticH264.KeyFrame(2000, 6), ct);
        await using var frames = reader;
        var unroutable = pair.B.RtpPacketsUnroutable;
        var packet = injector.Packet([0x41, 0x9A, 1, 2, 3, 4, 5, 6], marker: true);
        injector.Sequence--; // never sent on the real stream: no gap before its next frame (a gap there drops that frame, rightly)
        var random = new Random(8843);
        var ssrcs = Enumerable.Range(0, 100_000).Select(_ => (uint)random.NextInt64(1, uint.MaxValue)).Where(s => s != injector.Ssrc).ToArray();
        var memoryBefore = GC.GetTotalMemory(forceFullCollection: true);

        // Through the sending transport: its SRTP context tracks at most MaxStreams SSRCs and refuses the others.
        var accepted = await injector.SendPacedAsync(ssrcs.Select(s => (Func<bool>)(() => injector.SendRtp(packet, ssrc: s))), ct);

        Assert.That(accepted, Is.GreaterThan(0).And.LessThan(SrtpContext.MaxStreams));
        Assert.That(pair.B.RtpPacketsUnroutable - unroutable, Is.EqualTo(accepted), "every flood packet that arrived was dropped and counted");

        // Straight into the receiver's routing (after SRTP), beyond any SRTP limit: 100k more unknown SSRCs.
        var receive = pair.B.TransportForTests.MediaReceiver!;
        var routed = (byte[])packet.Clone();
        unroutable = pair.B.RtpPacketsUnroutable;
        foreach (var ssrc in ssrcs)
        {
            BinaryPrimitives.WriteUInt32BigEndian(routed.AsSpan(8), ssrc);
            receive(routed, isRtcp: false);
        }

        var memoryAfter = GC.GetTotalMemory(forceFullCollection: true);
        Assert.That(pair.B.RtpPacketsUnroutable - unroutable, Is.EqualTo(ssrcs.Length));
        Assert.That(memoryAfter - memoryBefore, Is.LessThan(8 * 1024 * 1024), "nothing is kept per unknown SSRC");

        var second = SyntheticH264.KeyFrame(2000, 7);
        injector.SendH264Frame(second);
        Assert.That(await NextFrameAsync(frames), Is.EqualTo(second));
        Assert.That(track.FramesReceived, Is.EqualTo(2));
        Assert.That((pair.A.ConnectionState, pair.B.ConnectionState), Is.EqualTo((RTCPeerConnectionState.Connected, RTCPeerConnectionState.Connected)));
    }

    [Test]
    public async Task CreateAnswer_OfferWithOnlyAnUnsupportedVideoCodec_PortZeroAndOneWarningNamingOfferedAndSupportedCodecs()
    {
        var logs = new CapturingLoggerProvider();
        await using var pc = new RTCPeerConnection(PeerPair.LoopbackConfiguration, new RTCPeerConnectionOptions { LoggerFactory = logs });
        var chromium = SdpSamples.Load("chromium-av-offer.sdp");
        var videoLine = chromium.Split("\r\n").Single(l => l.StartsWith("m=video", StringComparison.Ordinal));
        var av1Only = chromium.Replace(videoLine, "m=video 38672 UDP/TLS/RTP/SAVPF 45 46", StringComparison.Ordinal);

        await pc.SetRemoteDescriptionAsync(new RTCSessionDescription(RTCSdpType.Offer, av1Only));
        var answer = SessionDescription.Parse((await pc.CreateAnswerAsync()).Sdp);

        Assert.That(answer.Media.Select(m => (m.Media, m.Mid, m.Port)), Is.EqualTo(new[] { ("audio", "0", 9), ("video", "1", 0), ("application", "2", 9) }));
        Assert.That(answer.Media[1].Formats, Is.EqualTo(new[] { "45", "46" }));
        Assert.That(answer.BundleGroup!.Mids, Is.EqualTo(new[] { "0", "2" }));
        var warning = logs.Entries.Where(e => e.Level >= LogLevel.Warning).ToList();
        Assert.That(warning, Has.Count.EqualTo(1));
        Assert.That(warning[0].EventId.Id, Is.EqualTo(5802));
        Assert.That(warning[0].Message, Does.Contain("video").And.Contain("mid 1").And.Contain("offered AV1/90000")
            .And.Contain("supported H264/90000").And.Contain("VP8/90000").And.Contain("VP9/90000").And.Contain("H265/90000"));
    }

    [Test]
    public async Task ImpossibleRequests_ThrowWebRtcExceptionWithTheError()
    {
        await using var pc = new RTCPeerConnection(PeerPair.LoopbackConfiguration);
        await using var other = new RTCPeerConnection(PeerPair.LoopbackConfiguration);

        Assert.That(() => pc.AddTransceiver(MediaStreamTrackKind.Video, new RTCRtpTransceiverInit { SendEncodings = [new(), new() { Rid = "h" }] }), InvalidParameter());
        Assert.That(() => pc.AddTransceiver(MediaStreamTrackKind.Audio, new RTCRtpTransceiverInit { Direction = RTCRtpTransceiverDirection.Stopped }), InvalidParameter());
        var video = pc.AddTransceiver(MediaStreamTrackKind.Video);
        Assert.That(() => video.SetCodecPreferences([RTCRtpCodec.Opus]), InvalidParameter().And.Message.Contains("is not a Video codec"));
        Assert.That(() => video.SetCodecPreferences([new RTCRtpCodec("video/AV1", 90000)]), InvalidParameter().And.Message.Contains("supported: H264, VP8, VP9, H265"));
        Assert.That(() => video.SetCodecPreferences([RTCRtpCodec.Vp8, new RTCRtpCodec("video/AV1", 90000)]), Throws.Nothing, "unknown ones are skipped when one is known");

        var track = new EncodedFrameTrack(RTCRtpCodec.Vp8);
        pc.AddTrack(track);
        Assert.That(() => pc.AddTrack(track), InvalidParameter());
        var foreign = other.AddTrack(new EncodedFrameTrack(RTCRtpCodec.Vp8));
        Assert.That(() => pc.RemoveTrack(foreign), InvalidParameter());
        Assert.That(pc.GetTransceivers(), Has.Count.EqualTo(2), "nothing was added by the refused calls");

        pc.Close();
        Assert.That(() => pc.AddTransceiver(MediaStreamTrackKind.Audio), Throws.TypeOf<WebRtcException>().With.Property(nameof(WebRtcException.Error)).EqualTo(WebRtcError.Closed));
    }

    private static async Task<(RtpInjector Injector, RemoteMediaTrack Track)> ConnectVideoAsync(PeerPair pair, CancellationToken ct)
    {
        var transceiver = pair.A.AddTransceiver(MediaStreamTrackKind.Video, new RTCRtpTransceiverInit { Direction = RTCRtpTransceiverDirection.SendOnly });
        transceiver.SetCodecPreferences([RTCRtpCodec.H264]);
        var remote = RTCPeerConnectionMediaTests.NextTrackAsync(pair.B, ct);
        await pair.NegotiateAsync(pair.A, ct: ct);
        var track = (await remote).Track;
        await Task.WhenAll(
            PeerPair.WaitForStateAsync(pair.A, RTCPeerConnectionState.Connected, ct),
            PeerPair.WaitForStateAsync(pair.B, RTCPeerConnectionState.Connected, ct));
        while (!pair.A.TransportForTests.IsSrtpReady || !pair.B.TransportForTests.IsSrtpReady)
        {
            await Task.Delay(2, ct);
        }

        var codec = transceiver.NegotiatedCodecs.Single();
        Assert.That(codec.Codec.Name, Is.EqualTo("H264"));
        return (new RtpInjector(pair.A, pair.B, (byte)codec.PayloadType, transceiver.Sender.Ssrc), track);
    }

    // Connects, opens the track's frame reader and checks that a first key frame gets through.
    private static async Task<(RtpInjector Injector, RemoteMediaTrack Track, IAsyncEnumerator<EncodedFrame> Frames)> ConnectAndDeliverKeyFrameAsync(
        PeerPair pair, byte[] keyFrame, CancellationToken ct)
    {
        var (injector, track) = await ConnectVideoAsync(pair, ct);
        var frames = track.ReadFramesAsync(ct).GetAsyncEnumerator(ct);
        try
        {
            injector.SendH264Frame(keyFrame);
            Assert.That(await NextFrameAsync(frames), Is.EqualTo(keyFrame));
            return (injector, track, frames);
        }
        catch
        {
            await frames.DisposeAsync();
            throw;
        }
    }

    // A new constraint per assertion: a resolved constraint expression cannot be reused.
    private static Constraint InvalidParameter() =>
        Throws.TypeOf<WebRtcException>().With.Property(nameof(WebRtcException.Error)).EqualTo(WebRtcError.InvalidParameter);

    private static async Task<byte[]> NextFrameAsync(IAsyncEnumerator<EncodedFrame> frames)
    {
        Assert.That(await frames.MoveNextAsync(), Is.True, "the track ended");
        return frames.Current.Data.ToArray();
    }

    // An RTCP header (first byte, packet type, length field, sender SSRC) and `body` bytes; a media SSRC first when given.
    private static byte[] Rtcp(byte first, byte packetType, ushort length, uint ssrc, int body, uint? mediaSsrc = null)
    {
        var packet = new byte[8 + body];
        packet[0] = first;
        packet[1] = packetType;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), length);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), ssrc);
        if (mediaSsrc is { } media)
        {
            BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), media);
        }

        return packet;
    }
}
