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
