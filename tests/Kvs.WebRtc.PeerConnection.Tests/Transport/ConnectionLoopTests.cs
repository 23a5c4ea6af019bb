using System.Buffers;
using Kvs.WebRtc.PeerConnection.Transport;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Transport;

[TestFixture]
public sealed class ConnectionLoopTests
{
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(10);

    [Test]
    public void Post_WhileOwned_RunsDatagramsAndCommandsInArrivalOrder()
    {
        var order = new List<string>();
        using var loop = new ConnectionLoop(d => order.Add("d" + d[0]), NullLogger.Instance);

        loop.Run(() =>
        {
            for (byte i = 0; i < 50; i++)
            {
                loop.PostDatagram([i]);
                loop.Post(static s => s.Order.Add("c" + s.N), (Order: order, N: (int)i));
            }

            Assert.That(order, Is.Empty, "posts from the owner are queued, not nested");
        });

        var expected = Enumerable.Range(0, 50).SelectMany(i => new[] { "d" + i, "c" + i });
        Assert.That(order, Is.EqualTo(expected));
    }

    [Test]
    public void Post_IdleLoop_RunsInlineOnThePostingThread()
    {
        var handlerThread = -1;
        using var loop = new ConnectionLoop(_ => handlerThread = Environment.CurrentManagedThreadId, NullLogger.Instance);
        var commandThread = -1;

        Assert.That(loop.Post(() => commandThread = Environment.CurrentManagedThreadId), Is.True);
        Assert.That(loop.PostDatagram([1, 2, 3]), Is.True);

        Assert.That(commandThread, Is.EqualTo(Environment.CurrentManagedThreadId));
        Assert.That(handlerThread, Is.EqualTo(Environment.CurrentManagedThreadId));
        Assert.That(loop.QueuedCount, Is.Zero);
    }

    [Test]
    public async Task Post_ManyThreads_OneOwnerAtATimeAndNoWorkLost()
    {
        const int Threads = 8;
        const int PerThread = 5_000;
        var counter = 0; // mutated without a lock: only the loop touches it
        var active = 0;
        var overlaps = 0;
        using var loop = new ConnectionLoop(_ => Bump(), NullLogger.Instance, capacity: Threads * PerThread * 2);

        void Bump()
        {
            if (Interlocked.Increment(ref active) != 1)
            {
                Interlocked.Increment(ref overlaps);
            }

            counter++;
            Interlocked.Decrement(ref active);
        }

        using var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, Threads).Select(t => Task.Run(() =>
        {
            start.Wait(s_limit);
            for (var i = 0; i < PerThread; i++)
            {
                if (((i + t) & 1) == 0)
                {
                    loop.Post(Bump);
                }
                else
                {
                    loop.PostDatagram([1]);
                }
            }
        })).ToArray();
        start.Set();
        await Task.WhenAll(tasks).WaitAsync(s_limit);

        var deadline = DateTime.UtcNow + s_limit;
        while (loop.Run(() => counter) != Threads * PerThread && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.That(loop.Run(() => counter), Is.EqualTo(Threads * PerThread));
        Assert.That(overlaps, Is.Zero);
        Assert.That(loop.DroppedInputs, Is.Zero);
    }

    [Test]
    public void Run_FromTheOwnerThread_RunsInlineAndPostsWaitForTheCurrentItem()
    {
        var order = new List<string>();
        using var loop = new ConnectionLoop(_ => { }, NullLogger.Instance);

        loop.Run(() =>
        {
            order.Add("outer-start");
            loop.Post(() => order.Add("posted"));
            var value = loop.Run(() =>
            {
                order.Add("nested");
                return 42;
            });
            Assert.That(value, Is.EqualTo(42));
            Assert.That(loop.IsOwnedByCurrentThread, Is.True);
            order.Add("outer-end");
        });

        Assert.That(order, Is.EqualTo(new[] { "outer-start", "nested", "outer-end", "posted" }));
        Assert.That(loop.IsOwnedByCurrentThread, Is.False);
    }

    [Test]
    public async Task PostDatagram_QueueFull_DropsAndCountsButNeverCommands()
    {
        var received = new List<byte>();
        var commands = 0;
        using var loop = new ConnectionLoop(d => received.Add(d[0]), NullLogger.Instance, capacity: 4);
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var owner = Task.Run(() => loop.Run(() =>
        {
            entered.Set();
            release.Wait(s_limit);
        }));
        Assert.That(entered.Wait(s_limit), Is.True);

        var accepted = 0;
        for (byte i = 0; i < 10; i++)
        {
            if (loop.PostDatagram([i]))
            {
                accepted++;
            }
        }

        for (var i = 0; i < 10; i++)
        {
            Assert.That(loop.Post(() => commands++), Is.True);
        }

        Assert.That(accepted, Is.EqualTo(4));
        Assert.That(loop.DroppedInputs, Is.EqualTo(6));

        release.Set();
        await owner.WaitAsync(s_limit);
        loop.Run(() => { });

        Assert.That(received, Is.EqualTo(new byte[] { 0, 1, 2, 3 }));
        Assert.That(commands, Is.EqualTo(10));
    }

    [Test]
    public void ThrowingItems_AreLoggedAndTheLoopGoesOn()
    {
        var datagrams = 0;
        using var loop = new ConnectionLoop(d =>
        {
            if (d[0] == 0)
            {
                throw new InvalidOperationException("bad datagram");
            }

            datagrams++;
        }, NullLogger.Instance);
        var ran = false;

        Assert.That(() => loop.Post(() => throw new InvalidOperationException("bad command")), Throws.Nothing);
        Assert.That(() => loop.PostDatagram([0]), Throws.Nothing);
        loop.PostDatagram([1]);
        loop.Post(() => ran = true);

        Assert.That(ran, Is.True);
        Assert.That(datagrams, Is.EqualTo(1));
    }

    [Test]
    public void RunOfT_ReturnsTheValueAndPropagatesExceptions()
    {
        using var loop = new ConnectionLoop(_ => { }, NullLogger.Instance);

        Assert.That(loop.Run(() => 7), Is.EqualTo(7));
        Assert.That(loop.Run(static s => s * 2, 21), Is.EqualTo(42));
        Assert.That(() => loop.Run<int>(() => throw new InvalidOperationException("boom")), Throws.InvalidOperationException.With.Message.EqualTo("boom"));
        Assert.That(loop.IsOwnedByCurrentThread, Is.False, "released after the exception");
        Assert.That(loop.Run(() => 1), Is.EqualTo(1));
    }

    [Test]
    public async Task Close_ReleasesQueuedBuffersAndRefusesLaterPosts()
    {
        var pool = new CountingPool();
        var handled = 0;
        var loop = new ConnectionLoop(_ => handled++, NullLogger.Instance, pool: pool);
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var ranAfterClose = false;
        var owner = Task.Run(() => loop.Run(() =>
        {
            entered.Set();
            release.Wait(s_limit);
        }));
        Assert.That(entered.Wait(s_limit), Is.True);

        for (byte i = 0; i < 5; i++)
        {
            loop.PostDatagram([i]);
        }

        loop.Post(() => ranAfterClose = true);
        Assert.That(pool.Outstanding, Is.EqualTo(5));

        loop.Dispose();
        release.Set();
        await owner.WaitAsync(s_limit);

        Assert.That(pool.Outstanding, Is.Zero);
        Assert.That(handled, Is.Zero);
        Assert.That(ranAfterClose, Is.False);
        Assert.That(loop.PostDatagram([9]), Is.False);
        Assert.That(loop.Post(() => ranAfterClose = true), Is.False);
        Assert.That(loop.Run(() => 3), Is.EqualTo(3), "synchronous calls still run after close");
    }

    [Test]
    public async Task TryEnterNow_IdleLoop_RunsOnlyTheCallersWork_AndHandsWorkQueuedMeanwhileToThePool()
    {
        using var loop = new ConnectionLoop(_ => { }, NullLogger.Instance);
        var caller = Environment.CurrentManagedThreadId;
        var queuedRanOn = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);

        Assert.That(loop.TryEnterNow(out var scope), Is.True);
        using (scope)
        {
            Assert.That(loop.IsOwnedByCurrentThread, Is.True);

            // Another thread's post finds the loop owned: it queues and returns.
            // Waited synchronously: the scope (and the monitor under it) belongs to this thread.
            Assert.That(Task.Run(() => loop.Post(() => queuedRanOn.TrySetResult(Environment.CurrentManagedThreadId))).Wait(s_limit), Is.True);
            Assert.That(queuedRanOn.Task.IsCompleted, Is.False, "queued behind the caller");
        }

        var ranOn = await queuedRanOn.Task.WaitAsync(s_limit);
        Assert.That(ranOn, Is.Not.EqualTo(caller), "releasing a TryEnterNow scope never runs others' work on the caller's thread");
        Assert.That(loop.IsOwnedByCurrentThread, Is.False);
    }

    [Test]
    public async Task TryEnterNow_BusyLoop_ReturnsFalseAtOnce_AndNestedOnTheOwnerThread()
    {
        using var loop = new ConnectionLoop(_ => { }, NullLogger.Instance);
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var nestedInline = false;
        var owner = Task.Run(() => loop.Run(() =>
        {
            Assert.That(loop.TryEnterNow(out var nested), Is.True);
            using (nested)
            {
                nestedInline = loop.IsOwnedByCurrentThread;
            }

            Assert.That(loop.IsOwnedByCurrentThread, Is.True, "a nested scope does not release the outer owner");
            entered.Set();
            release.Wait(s_limit);
        }));
        Assert.That(entered.Wait(s_limit), Is.True);

        Assert.That(loop.TryEnterNow(out var scope), Is.False, "another thread owns the loop: no waiting");
        scope.Dispose(); // a default scope is a no-op
        release.Set();
        await owner.WaitAsync(s_limit);
        Assert.That(nestedInline, Is.True);
    }

    [Test]
    public async Task TryPost_NeverRunsOnTheCaller_RefusesBeyondCapacity_AndRunsInOrder()
    {
        var order = new List<int>();
        using var loop = new ConnectionLoop(_ => { }, NullLogger.Instance, capacity: 4);
        var caller = Environment.CurrentManagedThreadId;
        var ranOn = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        Assert.That(loop.TryPost(static t => t.TrySetResult(Environment.CurrentManagedThreadId), ranOn), Is.True);
        Assert.That(await ranOn.Task.WaitAsync(s_limit), Is.Not.EqualTo(caller), "an idle loop still does not run it on the caller");

        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var owner = Task.Run(() => loop.Run(() =>
        {
            entered.Set();
            release.Wait(s_limit);
        }));
        Assert.That(entered.Wait(s_limit), Is.True);

        var accepted = Enumerable.Range(0, 6).Count(i => loop.TryPost(static s => s.Order.Add(s.I), (Order: order, I: i)));
        Assert.That(accepted, Is.EqualTo(4), "bounded by the loop's capacity");

        release.Set();
        await owner.WaitAsync(s_limit);
        var deadline = DateTime.UtcNow + s_limit;
        while (loop.Run(() => order.Count) < 4 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
        }

        Assert.That(loop.Run(() => order.ToArray()), Is.EqualTo(new[] { 0, 1, 2, 3 }));
        loop.Close();
        Assert.That(loop.TryPost(static _ => { }, 0), Is.False, "refused once closed");
    }

    [Test]
    public async Task TryPost_WhileAnotherThreadOwnsTheLoop_RunsOnThatOwnerBeforeItReleases()
    {
        using var loop = new ConnectionLoop(_ => { }, NullLogger.Instance);
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var ownerThread = -1;
        var ranOn = -1;
        var owner = Task.Factory.StartNew(() =>
        {
            ownerThread = Environment.CurrentManagedThreadId;
            loop.Run(() =>
            {
                entered.Set();
                release.Wait(s_limit);
            });
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Assert.That(entered.Wait(s_limit), Is.True);

        Assert.That(loop.TryPost(_ => ranOn = Environment.CurrentManagedThreadId, 0), Is.True);
        release.Set();
        await owner.WaitAsync(s_limit);

        // Run returned only after draining: the item ran on the owner, not on a later thread-pool turn.
        Assert.That(ranOn, Is.EqualTo(ownerThread));
    }

    [Test]
    public async Task Sender_HoldingALockTheOwnerWaitsFor_DoesNotDeadlock_AndItsWorkRunsAfter()
    {
        // The shape TryEnterNow exists for: the loop's current work (a received RTCP packet) waits for a lock that the
        // sending thread (an RTCP report timer) holds while it sends.
        var shared = new object();
        var order = new List<string>();
        using var loop = new ConnectionLoop(_ =>
        {
            lock (shared)
            {
                order.Add("received");
            }
        }, NullLogger.Instance);
        using var holding = new ManualResetEventSlim();
        using var sent = new ManualResetEventSlim();
        Task receiver;
        bool ranInline;
        Monitor.Enter(shared);
        try
        {
            receiver = Task.Run(() => loop.PostDatagram([1])); // owns the loop, blocks on the lock
            var deadline = DateTime.UtcNow + s_limit;
            while (!IsBusy(loop) && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(1); // no await while this thread holds the monitor
            }

            ranInline = loop.TryEnterNow(out var scope);
            if (ranInline)
            {
                using (scope)
                {
                    order.Add("sent inline");
                }
            }
            else
            {
                Assert.That(loop.TryPost(static o => o.Add("sent queued"), order), Is.True);
            }
        }
        finally
        {
            Monitor.Exit(shared);
        }

        await receiver.WaitAsync(s_limit);
        var until = DateTime.UtcNow + s_limit;
        while (loop.Run(() => order.Count) < 2 && DateTime.UtcNow < until)
        {
            await Task.Delay(5);
        }

        Assert.That(ranInline, Is.False, "the loop was busy");
        Assert.That(loop.Run(() => order.ToArray()), Is.EqualTo(new[] { "received", "sent queued" }));
    }

    // True while another thread owns the loop (probing takes and releases it when idle).
    private static bool IsBusy(ConnectionLoop loop)
    {
        if (!loop.TryEnterNow(out var scope))
        {
            return true;
        }

        scope.Dispose();
        return false;
    }

    private sealed class CountingPool : ArrayPool<byte>
    {
        private int _outstanding;

        public int Outstanding => Volatile.Read(ref _outstanding);

        public override byte[] Rent(int minimumLength)
        {
            Interlocked.Increment(ref _outstanding);
            return new byte[minimumLength];
        }

        public override void Return(byte[] array, bool clearArray = false) => Interlocked.Decrement(ref _outstanding);
    }
}
