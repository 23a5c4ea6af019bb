using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.PeerConnection.Rtcp;
using Kvs.WebRtc.PeerConnection.Tests.PeerConnection;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Media;

/// <summary>
/// Media sends enter the connection loop without ever waiting for it: with the loop busy (held by another thread, as
/// a long receive would), a frame write returns at once with its packets queued as a pooled copy, and they leave in
/// order once the loop is free; beyond the loop's bounded queue sends are refused and counted, and the connection goes on.
/// </summary>
[TestFixture]
public sealed class RTCPeerConnectionSendPathTests
{
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(20);

    [Test]
    public async Task FramesWrittenWhileTheLoopIsBusy_AreQueuedNotWaitedFor_AndArriveWholeInOrder()
    {
        using var cts = new CancellationTokenSource(s_limit);
        await using var pair = new PeerPair();
        var (track, remote) = await ConnectAsync(pair, cts.Token);
        var transport = pair.A.TransportForTests;
        var frames = new List<(byte[] Data, bool IsKeyFrame)> { (SyntheticH264.KeyFrame(20_000, 1), true) };
        for (var i = 1; i < 16; i++)
        {
            frames.Add((SyntheticH264.Delta(500 + (i * 1931 % 6000), 1 + i), false));
        }

        var reader = RTCPeerConnectionMediaTests.ReadFramesAsync(remote, expected: frames.Count, cts.Token);
        for (var i = 0; i < 4; i++)
        {
            await track.WriteFrameAsync(new EncodedFrame(frames[i].Data, TimeSpan.FromMilliseconds(i * 33), frames[i].IsKeyFrame), cts.Token);
        }

        var queuedBefore = transport.SendsQueued;
        long sentWhileBusy;
        using (var busy = LoopHolder.Hold(transport.Loop))
        {
            var sentBefore = transport.SrtpCounters.PacketsSent;
            for (var i = 4; i < frames.Count; i++)
            {
                // Completes while the loop is held: the write does not wait for it.
                var write = track.WriteFrameAsync(new EncodedFrame(frames[i].Data, TimeSpan.FromMilliseconds(i * 33), frames[i].IsKeyFrame), cts.Token);
                Assert.That(write.AsTask().Wait(s_limit), Is.True, $"frame {i} was written without waiting for the busy loop");
            }

            sentWhileBusy = transport.SrtpCounters.PacketsSent - sentBefore;
        }

        var got = await reader;
        var sender = pair.A.GetSenders()[0];
        Assert.Multiple(() =>
        {
            Assert.That(transport.SendsQueued - queuedBefore, Is.GreaterThanOrEqualTo(frames.Count - 4), "one queued send per frame (and the RTCP that met the busy loop)");
            Assert.That(sentWhileBusy, Is.Zero, "nothing was protected or sent while another thread owned the loop");
            Assert.That(got.Select(f => f.Data.ToArray()), Is.EqualTo(frames.Select(f => f.Data)), "every frame, byte for byte, in order");
            Assert.That(sender.FramesSent, Is.EqualTo(frames.Count));
            Assert.That(remote.PacketsReceived, Is.EqualTo(sender.PacketsSent), "every packet counted once on each side");
            Assert.That(transport.SendsRefused, Is.Zero);
            Assert.That(pair.A.GetStats().PacketsRefusedByLoop, Is.Zero);
        });
    }

    [Test]
    public async Task SendsBeyondTheLoopsQueue_WhileItIsBusy_AreRefusedAndCounted_AndTheConnectionGoesOn()
    {
        using var cts = new CancellationTokenSource(s_limit);
        await using var pair = new PeerPair();
        var (track, remote) = await ConnectAsync(pair, cts.Token);
        var transport = pair.A.TransportForTests;
        var capacity = transport.Loop.Capacity;

        // A receiver report with no report blocks: a valid RTCP packet that changes nothing at the peer.
        var report = new byte[8];
        report[0] = 0x80;
        report[1] = (byte)RtcpPacketType.ReceiverReport;
        report[3] = 1;
        report[7] = 7;

        var accepted = 0;
        var attempts = capacity + 200;
        using (LoopHolder.Hold(transport.Loop))
        {
            for (var i = 0; i < attempts; i++)
            {
                if (transport.TrySendRtcp(report))
                {
                    accepted++;
                }
            }
        }

        Assert.That(accepted, Is.LessThanOrEqualTo(capacity), "bounded by the loop's queue");
        Assert.That(transport.SendsRefused, Is.EqualTo(attempts - accepted), "every refused send is counted");
        Assert.That(pair.A.GetStats().PacketsRefusedByLoop, Is.EqualTo(attempts - accepted), "and reported in the connection's stats");

        // The connection goes on: a key frame written now arrives.
        var frame = SyntheticH264.KeyFrame(5_000, 3);
        var reader = RTCPeerConnectionMediaTests.ReadFramesAsync(remote, expected: 1, cts.Token);
        await track.WriteFrameAsync(new EncodedFrame(frame, TimeSpan.Zero, true), cts.Token);
        var got = await reader;
        Assert.That(got[0].Data.ToArray(), Is.EqualTo(frame));
        Assert.That(pair.A.ConnectionState, Is.EqualTo(RTCPeerConnectionState.Connected));
    }

    private static async Task<(EncodedFrameTrack Track, RemoteMediaTrack Remote)> ConnectAsync(PeerPair pair, CancellationToken ct)
    {
        var track = new EncodedFrameTrack(RTCRtpCodec.H264);
        pair.A.AddTrack(track);
        var remoteTrack = RTCPeerConnectionMediaTests.NextTrackAsync(pair.B, ct);
        await pair.NegotiateAsync(pair.A, ct: ct);
        var remote = (await remoteTrack).Track;
        await PeerPair.WaitForStateAsync(pair.A, RTCPeerConnectionState.Connected, ct);
        await PeerPair.WaitForStateAsync(pair.B, RTCPeerConnectionState.Connected, ct);
        return (track, remote);
    }

    /// <summary>Owns a connection loop on a thread of its own until disposed (a loop busy with long work).</summary>
    private sealed class LoopHolder : IDisposable
    {
        private readonly ManualResetEventSlim _release = new();
        private readonly Task _owner;

        private LoopHolder(Kvs.WebRtc.PeerConnection.Transport.ConnectionLoop loop)
        {
            using var entered = new ManualResetEventSlim();
            _owner = Task.Factory.StartNew(() =>
            {
                using (loop.Enter())
                {
                    entered.Set();
                    _release.Wait(s_limit);
                }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            Assert.That(entered.Wait(s_limit), Is.True, "the holder owns the loop");
        }

        public static LoopHolder Hold(Kvs.WebRtc.PeerConnection.Transport.ConnectionLoop loop) => new(loop);

        public void Dispose()
        {
            _release.Set();
            Assert.That(_owner.Wait(s_limit), Is.True);
            _release.Dispose();
        }
    }
}
