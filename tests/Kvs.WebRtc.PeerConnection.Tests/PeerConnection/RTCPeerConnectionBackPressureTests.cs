using System.Diagnostics;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.PeerConnection;

/// <summary>
/// The receive path toward a slow application: received messages hold their SCTP receive-window bytes until the
/// handler has run, so a stalled handler closes the advertised window and the peer stops sending.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.None)]
public sealed class RTCPeerConnectionBackPressureTests
{
    // PeerConnectionTransport.ReceiveWindow: the association accepts at most twice that (the next in-order chunk only).
    private const long ReceiveWindow = 512 * 1024;

    // 1 KiB messages: the window fills with a few hundred, all inside the dispatcher's queue. 8-byte messages: each
    // also charges its bookkeeping, the window holds thousands, more than the dispatcher takes: the rest waits in the
    // channel manager and resumes on SpaceAvailable.
    [TestCase(1024, false)]
    [TestCase(8, true)]
    public async Task BlockedMessageHandler_WhileThePeerFloods_MemoryStaysBoundedNothingIsLostAndTheFlowResumes(int size, bool beyondDispatcherCapacity)
    {
        var ct = PeerPair.Timeout(90);
        await using var pair = new PeerPair();
        var (local, remote) = await pair.OpenChannelAsync("flood", null, ct);
        var receiver = pair.B.TransportForTests.Manager!;
        var sender = pair.A.TransportForTests.Manager!.Association;
        var dispatcher = pair.B.DispatcherForTests;
        const int count = 40_000;
        using var gate = new ManualResetEventSlim();
        var received = new List<int>(count);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        remote.MessageReceived += (_, e) =>
        {
            if (received.Count == 0)
            {
                gate.Wait(TimeSpan.FromSeconds(60)); // the application stalls on its first message
            }

            received.Add(BitConverter.ToInt32(e.Data.Span));
            if (received.Count == count)
            {
                done.TrySetResult();
            }
        };

        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var sent = 0;
        var flood = Task.Run(
            async () =>
            {
                var payload = new byte[size];
                for (var i = 0; i < count; i++)
                {
                    BitConverter.TryWriteBytes(payload, i);
                    await local.SendAsync(payload, ct);
                    Volatile.Write(ref sent, i + 1);
                }
            },
            ct);

        // The sender sees the closed window (its own view, updated by our SACKs).
        await PollAsync(() => sender.PeerReceiveWindow < size && receiver.QueuedDeliveryBytes >= ReceiveWindow / 2, "the window closes", ct);
        var sentAtStall = Volatile.Read(ref sent);
        var heapStalled = GC.GetTotalMemory(forceFullCollection: true);

        TestContext.Out.WriteLine($"stalled after {sentAtStall} of {count} messages; heap +{heapStalled - heapBefore} bytes; queued for the handler "
            + $"{receiver.QueuedDeliveryBytes} bytes in {receiver.QueuedDeliveries} messages; SCTP holds {receiver.Association.ReceiveBufferedAmount} bytes");
        Assert.That(flood.IsCompleted, Is.False, "SendAsync waits: the flood is held back");
        Assert.That(sentAtStall, Is.LessThan(count / 4), "about the two windows and the sender's buffer, not the whole flood");
        Assert.That(receiver.Association.ReceiveBufferedAmount, Is.LessThanOrEqualTo(2 * ReceiveWindow));
        Assert.That(receiver.QueuedDeliveryBytes, Is.LessThanOrEqualTo(2 * ReceiveWindow));
        Assert.That(dispatcher.PeakFlowControlledCount, Is.LessThanOrEqualTo(dispatcher.Capacity));
        Assert.That(receiver.QueuedDeliveries > dispatcher.Capacity, Is.EqualTo(beyondDispatcherCapacity), $"{receiver.QueuedDeliveries} messages queued");
        Assert.That(heapStalled - heapBefore, Is.LessThan(16L * 1024 * 1024), $"heap grew by {heapStalled - heapBefore} bytes while {count * size} bytes were offered");

        gate.Set();
        await done.Task.WaitAsync(ct);
        await flood.WaitAsync(ct);

        Assert.That(received, Is.EqualTo(Enumerable.Range(0, count)), "nothing lost, nothing reordered");
        Assert.That(receiver.PeakQueuedDeliveryBytes, Is.LessThanOrEqualTo(2 * ReceiveWindow));
        Assert.That(sender.IsTerminated, Is.False);
        await PollAsync(() => receiver.QueuedDeliveryBytes == 0, "the queue drains", ct);
    }

    private static async Task PollAsync(Func<bool> condition, string what, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        while (!condition())
        {
            if (Stopwatch.GetElapsedTime(started) > TimeSpan.FromSeconds(30))
            {
                Assert.Fail("Not reached within 30 s: " + what);
            }

            // A bounded poll of state other threads set, not a wait for time to pass.
            await Task.Delay(1, ct);
        }
    }
}
