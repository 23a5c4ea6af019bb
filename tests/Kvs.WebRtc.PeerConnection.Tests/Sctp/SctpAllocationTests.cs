using Kvs.WebRtc.PeerConnection.Sctp;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Sctp;

public sealed class SctpAllocationTests
{
    [Test]
    public void SteadyState_SmallMessages_AllocateOnlyTheDeliveredArrays()
    {
        var options = new SctpAssociationOptions { HeartbeatInterval = Timeout.InfiniteTimeSpan };
        var now = TimeSpan.FromSeconds(1);
        var a = new SctpAssociation(options, now);
        var b = new SctpAssociation(options, now);
        var buffer = new byte[1500];
        var message = new byte[1000];
        var received = 0;

        void Pump()
        {
            for (var idle = 0; idle < 3;)
            {
                var moved = false;
                while (a.TryPollTransmit(buffer, now, out var n))
                {
                    b.HandleInput(buffer.AsSpan(0, n), now);
                    moved = true;
                }

                while (b.TryPollEvent(out var e))
                {
                    received += e.Kind == SctpEventKind.MessageReceived ? 1 : 0;
                }

                while (b.TryPollTransmit(buffer, now, out var n))
                {
                    a.HandleInput(buffer.AsSpan(0, n), now);
                    moved = true;
                }

                while (a.TryPollEvent(out _))
                {
                }

                if (!moved)
                {
                    idle++;
                    now += TimeSpan.FromMilliseconds(250);
                    a.HandleTimeout(now);
                    b.HandleTimeout(now);
                }
            }
        }

        void Round(int count)
        {
            for (var i = 0; i < count; i++)
            {
                a.Send(1, 53, message, false, SctpReliability.Reliable, now);
            }

            Pump();
        }

        a.Connect(now);
        b.Connect(now);
        Pump();
        Round(2000); // warm up pools, queues and the inflight ring
        received = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        Round(2000);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(received, Is.EqualTo(2000));
        // Each delivered message is a new array (1000 bytes + ~24 bytes header); nothing else per message or packet.
        Assert.That(allocated, Is.LessThan(2000 * 1100));
    }
}
