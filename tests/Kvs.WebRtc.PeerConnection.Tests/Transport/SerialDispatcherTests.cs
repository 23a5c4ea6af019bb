using Kvs.WebRtc.PeerConnection.Transport;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Transport;

[TestFixture]
public sealed class SerialDispatcherTests
{
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(10);

    [Test]
    public async Task TryPost_CapacityReached_RefusesFlowControlledWorkButNeverStateEvents()
    {
        await using var dispatcher = new SerialDispatcher(NullLogger.Instance, capacity: 8);
        using var gate = new ManualResetEventSlim();
        var order = new List<string>();
        var blocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        dispatcher.Post(() =>
        {
            blocked.TrySetResult();
            gate.Wait(s_limit);
        });
        await blocked.Task.WaitAsync(s_limit);

        var accepted = 0;
        for (var i = 0; i < 20; i++)
        {
            var n = i;
            if (dispatcher.TryPost(() => order.Add("m" + n)))
            {
                accepted++;
            }
        }

        for (var i = 0; i < 100; i++)
        {
            var n = i;
            dispatcher.Post(() => order.Add("s" + n));
        }

        Assert.That(accepted, Is.EqualTo(8));
        Assert.That(dispatcher.PendingCount, Is.EqualTo(109), "the running item, 8 messages, 100 state events");
        gate.Set();
        await dispatcher.DrainAsync().WaitAsync(s_limit);

        Assert.That(order, Is.EqualTo(Enumerable.Range(0, 8).Select(i => "m" + i).Concat(Enumerable.Range(0, 100).Select(i => "s" + i))));
        Assert.That(dispatcher.PeakFlowControlledCount, Is.EqualTo(8));
        Assert.That(dispatcher.PendingCount, Is.Zero);
    }

    [Test]
    public async Task SpaceAvailable_AfterARefusal_IsRaisedOnceTheQueueDrainedToHalf()
    {
        await using var dispatcher = new SerialDispatcher(NullLogger.Instance, capacity: 4);
        using var gate = new ManualResetEventSlim();
        var blocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var resumed = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var ran = 0;
        dispatcher.SpaceAvailable += () => resumed.TrySetResult(Volatile.Read(ref ran));
        dispatcher.Post(() =>
        {
            blocked.TrySetResult();
            gate.Wait(s_limit);
        });
        await blocked.Task.WaitAsync(s_limit);
        for (var i = 0; i < 4; i++)
        {
            Assert.That(dispatcher.TryPost(() => Interlocked.Increment(ref ran)), Is.True);
        }

        Assert.That(dispatcher.TryPost(() => Interlocked.Increment(ref ran)), Is.False);
        Assert.That(resumed.Task.IsCompleted, Is.False);

        gate.Set();
        var ranWhenResumed = await resumed.Task.WaitAsync(s_limit);

        Assert.That(ranWhenResumed, Is.EqualTo(2), "raised when half of the capacity is free, not per item");
        await dispatcher.DrainAsync().WaitAsync(s_limit);
        Assert.That(dispatcher.TryPost(() => Interlocked.Increment(ref ran)), Is.True);
    }

    [Test]
    public async Task Post_ThrowingHandler_IsLoggedAndLaterItemsStillRun()
    {
        await using var dispatcher = new SerialDispatcher(NullLogger.Instance);
        var ran = false;
        dispatcher.Post(() => throw new InvalidOperationException("handler bug"));
        Assert.That(dispatcher.TryPost(() => ran = true), Is.True);
        await dispatcher.DrainAsync().WaitAsync(s_limit);

        Assert.That(ran, Is.True);
    }
}
