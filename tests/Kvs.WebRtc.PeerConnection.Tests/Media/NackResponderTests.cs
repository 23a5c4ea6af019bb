using System.Buffers.Binary;
using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.PeerConnection.Rtp;
using Kvs.WebRtc.Testing;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Media;

[TestFixture]
public sealed class NackResponderTests
{
    [Test]
    public void Resend_RtxNegotiated_SendsRtxWithOsnOwnSsrcAndConsecutiveRtxSequenceNumbers()
    {
        var clock = new ManualTimeProvider();
        var history = new RtpPacketHistory(TimeSpan.FromSeconds(1));
        var sink = new RecordingSink();
        var responder = new NackResponder(history, sink, clock, 102, 0x1111, 103, 0x2222, 0.15);
        Feed(history, responder, clock, 100, count: 50);

        Assert.That(responder.Resend(120), Is.EqualTo(NackResendResult.Sent));
        Assert.That(responder.Resend(121), Is.EqualTo(NackResendResult.Sent));

        Assert.That(sink.Sent, Has.Count.EqualTo(2));
        var (first, pt, ssrc) = sink.Sent[0];
        Assert.That((pt, ssrc), Is.EqualTo(((byte)103, 0x2222u)));
        Assert.That(RtpHeader.TryParse(first, out var header), Is.True);
        Assert.That(BinaryPrimitives.ReadUInt16BigEndian(first.AsSpan(header.HeaderLength)), Is.EqualTo(120), "OSN");
        Assert.That(RtxPacket.TryUnwrap(first, new byte[1500], 102, 0x1111, out var length, out _), Is.True);
        Assert.That(length, Is.EqualTo(1212));
        Assert.That(RtpHeader.TryParse(sink.Sent[1].Packet, out var second), Is.True);
        Assert.That(second.SequenceNumber, Is.EqualTo((ushort)(header.SequenceNumber + 1)), "RTX has its own sequence space");
        Assert.That((responder.RetransmittedPacketsSent, responder.RetransmittedBytesSent), Is.EqualTo((2L, 2L * 1200)));
    }

    [Test]
    public void Resend_NoRtx_ResendsTheOriginalWithItsSequenceNumberAndTheMediaSsrc()
    {
        var clock = new ManualTimeProvider();
        var history = new RtpPacketHistory(TimeSpan.FromSeconds(1));
        var sink = new RecordingSink();
        var responder = new NackResponder(history, sink, clock, 96, 0x1111, null, null, 0.15);
        Feed(history, responder, clock, 65530, count: 20);

        Assert.That(responder.Resend(2), Is.EqualTo(NackResendResult.Sent));
        Assert.That(responder.Resend(40), Is.EqualTo(NackResendResult.NotFound));

        var (packet, pt, ssrc) = sink.Sent.Single();
        Assert.That((pt, ssrc, BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(2))), Is.EqualTo(((byte)96, 0x1111u, (ushort)2)));
        Assert.That(responder.RetransmissionsNotFound, Is.EqualTo(1));
    }

    [Test]
    public void Resend_OlderThanTheHistoryKeeps_NotFound()
    {
        var clock = new ManualTimeProvider();
        var history = new RtpPacketHistory(TimeSpan.FromSeconds(1));
        var responder = new NackResponder(history, new RecordingSink(), clock, 96, 1, 97, 2, 0.15);
        Feed(history, responder, clock, 0, count: 10);
        clock.Advance(TimeSpan.FromMilliseconds(1001));
        Assert.That(responder.Resend(5), Is.EqualTo(NackResendResult.NotFound));
    }

    [Test]
    public void Resend_NackForEverySequenceNumber_RetransmissionsStayUnderTheShare()
    {
        var clock = new ManualTimeProvider();
        var history = new RtpPacketHistory(TimeSpan.FromSeconds(1));
        var sink = new RecordingSink();
        var responder = new NackResponder(history, sink, clock, 96, 1, 97, 2, 0.15);
        long mediaBytes = 0;
        ushort next = 0;
        for (var frame = 0; frame < 100; frame++)
        {
            Feed(history, responder, clock, next, count: 10);
            next += 10;
            mediaBytes += 10 * 1212;

            // A hostile peer asks for every packet of the last second, every frame.
            for (var s = 0; s < 65536; s++)
            {
                if (responder.Resend((ushort)s) == NackResendResult.OverBudget)
                {
                    break;
                }
            }

            Assert.That(sink.Bytes, Is.LessThanOrEqualTo(mediaBytes * 0.15));
        }

        Assert.That(responder.RetransmissionsOverBudget, Is.GreaterThan(0));
        Assert.That(sink.Bytes, Is.GreaterThan(mediaBytes * 0.10), "the budget is used");
    }

    [Test]
    public void Resend_CommonBudgetSpentOnDeltas_KeyFramePacketsStillGoOut_FromABudgetOfTheSameShare()
    {
        var clock = new ManualTimeProvider();
        var history = new RtpPacketHistory(TimeSpan.FromSeconds(1));
        var sink = new RecordingSink();
        var responder = new NackResponder(history, sink, clock, 96, 1, 97, 2, 0.15);
        Feed(history, responder, clock, 0, count: 100); // deltas 0..99
        for (var i = 0; i < 20; i++)
        {
            var packet = RtpPacketHistoryTests.Packet((ushort)(100 + i), 1212);
            history.Add(packet, clock.GetElapsedTime(0), isKeyFrame: true); // a key frame, 100..119
            responder.OnMediaSent(packet.Length);
        }

        ushort delta = 0;
        while (responder.Resend(delta) == NackResendResult.Sent)
        {
            delta++;
        }

        var deltaBytes = sink.Bytes;
        var keyResent = Enumerable.Range(100, 20).Count(s => responder.Resend((ushort)s) == NackResendResult.Sent);
        var keyBytes = sink.Bytes - deltaBytes;

        Assert.Multiple(() =>
        {
            Assert.That(deltaBytes, Is.LessThanOrEqualTo(120 * 1212 * 0.15), "deltas: the common share");
            Assert.That(keyResent, Is.GreaterThan(0), "the key frame is not starved by the deltas' resends");
            Assert.That(keyBytes, Is.LessThanOrEqualTo(120 * 1212 * 0.15), "key frames: at most the same share again");
        });
    }

    [Test]
    public void Resend_SteadyState_AllocatesNothing()
    {
        var clock = new SteppedClock(); // ManualTimeProvider.Advance allocates: not what is measured
        var history = new RtpPacketHistory(TimeSpan.FromSeconds(1));
        var sink = new RecordingSink { Keep = false };
        var responder = new NackResponder(history, sink, clock, 96, 1, 97, 2, 1.0);
        var packet = RtpPacketHistoryTests.Packet(0, 1212);
        ushort sequence = 0;
        void Run(int count)
        {
            for (var i = 0; i < count; i++)
            {
                sequence++;
                BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), sequence);
                history.Add(packet, clock.GetElapsedTime(0));
                responder.OnMediaSent(packet.Length);
                responder.Resend((ushort)(sequence - 3));
                clock.Ticks += TimeSpan.TicksPerMillisecond * 2;
            }
        }

        Run(2000);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run(2000);
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
        Assert.That(responder.RetransmittedPacketsSent, Is.GreaterThan(3900));
    }

    // Packets as the track stores them (PT and SSRC placeholders), 1,212 bytes, counted as sent media.
    private static void Feed(RtpPacketHistory history, NackResponder responder, ManualTimeProvider clock, ushort first, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var packet = RtpPacketHistoryTests.Packet((ushort)(first + i), 1212);
            history.Add(packet, clock.GetElapsedTime(0));
            responder.OnMediaSent(packet.Length);
        }

        clock.Advance(TimeSpan.FromMilliseconds(33));
    }

    private sealed class SteppedClock : TimeProvider
    {
        public long Ticks { get; set; }

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Ticks;
    }

    private sealed class RecordingSink : IRtpPacketSink
    {
        public List<(byte[] Packet, byte PayloadType, uint Ssrc)> Sent { get; } = [];

        public long Bytes { get; private set; }

        public bool Keep { get; init; } = true;

        public bool IsSrtpReady => true;

        public bool TrySendRtp(ReadOnlySpan<byte> packet, byte payloadType, uint ssrc)
        {
            Bytes += packet.Length;
            if (Keep)
            {
                Sent.Add((packet.ToArray(), payloadType, ssrc));
            }

            return true;
        }

        public int TrySendRtpBatch(byte[][] packets, int[] lengths, int count, byte payloadType, uint ssrc, out long sentBytes) =>
            throw new NotSupportedException();

        public bool TrySendRtcp(ReadOnlySpan<byte> packet) => throw new NotSupportedException();
    }
}
