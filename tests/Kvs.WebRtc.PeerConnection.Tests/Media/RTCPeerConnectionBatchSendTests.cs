using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.PeerConnection.Tests.PeerConnection;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Media;

/// <summary>
/// A frame's packets sent as one batch per connection: runs of equal-size SRTP packets in one socket call (UDP GSO) on
/// real 127.0.0.1 sockets, one datagram per packet on the virtual network; either way every packet arrives in order.
/// </summary>
[TestFixture]
public sealed class RTCPeerConnectionBatchSendTests
{
    [Test]
    public async Task LargeH264Frames_OnLoopbackSockets_LeaveInSegmentBatches_AndArriveWhole()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var pair = new PeerPair();
        var track = new EncodedFrameTrack(RTCRtpCodec.H264);
        pair.A.AddTrack(track);
        var remoteTrack = RTCPeerConnectionMediaTests.NextTrackAsync(pair.B, cts.Token);
        await pair.NegotiateAsync(pair.A, ct: cts.Token);
        var remote = (await remoteTrack).Track;
        await PeerPair.WaitForStateAsync(pair.A, RTCPeerConnectionState.Connected, cts.Token);

        var frames = Frames(40);
        var reader = RTCPeerConnectionMediaTests.ReadFramesAsync(remote, expected: frames.Count, cts.Token);
        for (var i = 0; i < frames.Count; i++)
        {
            await track.WriteFrameAsync(new EncodedFrame(frames[i].Data, TimeSpan.FromMilliseconds(i * 33), frames[i].IsKeyFrame), cts.Token);
        }

        var got = await reader;
        Assert.That(got.Select(f => f.Data.ToArray()), Is.EqualTo(frames.Select(f => f.Data)), "every frame, byte for byte, in order");
        var sender = pair.A.GetSenders()[0];
        Assert.That(sender.FramesSent, Is.EqualTo(frames.Count));
        Assert.That(remote.PacketsReceived, Is.EqualTo(sender.PacketsSent), "every packet counted once on each side");
        Assert.That(remote.FramesDropped, Is.Zero);
        var batches = pair.A.TransportForTests.SegmentBatchesSent;
        Assert.That(batches, OperatingSystem.IsLinux() ? Is.GreaterThan(0) : Is.Zero, "UDP GSO on Linux, one datagram per packet elsewhere");
    }

    [Test]
    public async Task LargeH264Frames_OnTheVirtualNetwork_FallBackToOneDatagramPerPacket_AndArriveWhole()
    {
        await using var pair = new VirtualPeerPair(seed: 5);
        var track = new EncodedFrameTrack(RTCRtpCodec.H264) { TimeProvider = pair.Time };
        pair.A.AddTrack(track);
        var trackEvent = RTCPeerConnectionMediaTests.NextTrackAsync(pair.B, CancellationToken.None);
        await pair.NegotiateAsync(pair.A);
        var remote = (await trackEvent.WaitAsync(VirtualPeerPair.SettleLimit)).Track;
        await pair.ConnectAsync(TimeSpan.FromSeconds(10));

        var frames = Frames(20);
        var received = new List<EncodedFrame>();
        await using var reader = remote.ReadFramesAsync().GetAsyncEnumerator();
        for (var i = 0; i < frames.Count; i++)
        {
            await track.WriteFrameAsync(new EncodedFrame(frames[i].Data, TimeSpan.FromMilliseconds(i * 33), frames[i].IsKeyFrame));
            await pair.RunForAsync(TimeSpan.FromMilliseconds(33));
        }

        await pair.RunForAsync(TimeSpan.FromMilliseconds(200));
        while (received.Count < remote.FramesReceived)
        {
            Assert.That(await reader.MoveNextAsync().AsTask().WaitAsync(VirtualPeerPair.SettleLimit), Is.True);
            received.Add(reader.Current);
        }

        Assert.That(received.Select(f => f.Data.ToArray()), Is.EqualTo(frames.Select(f => f.Data)), "every frame, byte for byte, in order");
        var sender = pair.A.GetSenders()[0];
        Assert.That(remote.PacketsReceived, Is.EqualTo(sender.PacketsSent));
        Assert.That(pair.A.TransportForTests.SegmentBatchesSent, Is.Zero, "the virtual network has no segmentation: the fallback path");
    }

    [Test]
    public async Task TrySendRtpBatch_AfterWarmUp_AllocatesNothing()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var pair = new PeerPair();
        pair.A.AddTrack(new EncodedFrameTrack(RTCRtpCodec.H264));
        await pair.NegotiateAsync(pair.A, ct: cts.Token);
        await PeerPair.WaitForStateAsync(pair.A, RTCPeerConnectionState.Connected, cts.Token);
        var transport = pair.A.TransportForTests;
        var packets = new byte[15][];
        var lengths = new int[15];
        for (var i = 0; i < packets.Length; i++)
        {
            lengths[i] = i == packets.Length - 1 ? 400 : 1212;
            packets[i] = new byte[lengths[i]];
            packets[i][0] = 0x80;
            packets[i][3] = (byte)i;
        }

        for (var i = 0; i < 100; i++)
        {
            Assert.That(transport.TrySendRtpBatch(packets, lengths, packets.Length, 96, 0x1234, out _), Is.EqualTo(packets.Length));
        }

        long allocated;
        using (transport.Loop.Enter())
        {
            // Owned by this thread: every send below runs inline (the steady-state path), none queued behind a received packet.
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 100; i++)
            {
                transport.TrySendRtpBatch(packets, lengths, packets.Length, 96, 0x1234, out _);
            }

            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Assert.That(allocated, Is.Zero);
        Assert.That(transport.SegmentBatchesSent, OperatingSystem.IsLinux() ? Is.GreaterThanOrEqualTo(200) : Is.Zero, "the batched path was measured");
    }

    // A key frame then deltas, from a few hundred bytes (one packet) to tens of packets.
    private static List<(byte[] Data, bool IsKeyFrame)> Frames(int count)
    {
        var frames = new List<(byte[] Data, bool IsKeyFrame)> { (SyntheticH264.KeyFrame(30000, 1), true) };
        for (var i = 1; i < count; i++)
        {
            frames.Add((SyntheticH264.Delta(300 + (i * 2741 % 20000), 1 + i), false));
        }

        return frames;
    }
}
