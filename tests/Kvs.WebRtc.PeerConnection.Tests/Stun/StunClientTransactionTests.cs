using Kvs.WebRtc.PeerConnection.Stun;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Stun;

[TestFixture]
public sealed class StunClientTransactionTests
{
    private static readonly byte[] s_request = [0, 1, 0, 0];

    [Test]
    public void Unreliable_DefaultSchedule_SendsAtRfc8489TimesAndTimesOutAt39500Ms()
    {
        var transaction = new StunClientTransaction(TransactionId.NewRandom(), s_request, reliable: false);
        var sends = new List<double>();
        var now = TimeSpan.Zero;
        transaction.Start(now);
        for (var guard = 0; guard < 100 && transaction.IsPending; guard++)
        {
            while (transaction.TryPollTransmit(out _))
            {
                sends.Add(now.TotalMilliseconds);
            }

            now = transaction.NextTimeout!.Value;
            transaction.HandleTimeout(now);
        }

        // RFC 8489 §6.2.1: 0, 500, 1500, 3500, 7500, 15500, 31500 ms, failure at 39500 ms.
        Assert.That(sends, Is.EqualTo(new double[] { 0, 500, 1500, 3500, 7500, 15500, 31500 }));
        Assert.That(transaction.State, Is.EqualTo(StunTransactionState.TimedOut));
        Assert.That(now, Is.EqualTo(TimeSpan.FromMilliseconds(39_500)));
    }

    [Test]
    public void Unreliable_ConfiguredRto_ScalesSchedule()
    {
        var options = new StunRetransmissionOptions { InitialRto = TimeSpan.FromMilliseconds(100), MaxSends = 3, LastWaitMultiplier = 2 };
        var transaction = new StunClientTransaction(TransactionId.NewRandom(), s_request, reliable: false, options);
        transaction.Start(TimeSpan.Zero);
        Assert.That(transaction.TryPollTransmit(out _), Is.True);
        Assert.That(transaction.NextTimeout, Is.EqualTo(TimeSpan.FromMilliseconds(100)));
        transaction.HandleTimeout(TimeSpan.FromMilliseconds(100));
        Assert.That(transaction.TryPollTransmit(out _), Is.True);
        Assert.That(transaction.NextTimeout, Is.EqualTo(TimeSpan.FromMilliseconds(300)));
        transaction.HandleTimeout(TimeSpan.FromMilliseconds(300));
        Assert.That(transaction.TryPollTransmit(out _), Is.True);
        Assert.That(transaction.NextTimeout, Is.EqualTo(TimeSpan.FromMilliseconds(500)));
        transaction.HandleTimeout(TimeSpan.FromMilliseconds(500));
        Assert.That(transaction.State, Is.EqualTo(StunTransactionState.TimedOut));
    }

    [Test]
    public void Reliable_SendsOnceAndTimesOutAfterTi()
    {
        var transaction = new StunClientTransaction(TransactionId.NewRandom(), s_request, reliable: true);
        transaction.Start(TimeSpan.FromSeconds(1));
        Assert.That(transaction.TryPollTransmit(out _), Is.True);
        Assert.That(transaction.NextTimeout, Is.EqualTo(TimeSpan.FromSeconds(40.5)));
        transaction.HandleTimeout(TimeSpan.FromSeconds(40));
        Assert.That(transaction.State, Is.EqualTo(StunTransactionState.Pending));
        Assert.That(transaction.TryPollTransmit(out _), Is.False);
        transaction.HandleTimeout(TimeSpan.FromSeconds(40.5));
        Assert.That(transaction.State, Is.EqualTo(StunTransactionState.TimedOut));
        Assert.That(transaction.SendCount, Is.EqualTo(1));
    }

    [Test]
    public void Complete_StopsRetransmissions()
    {
        var transaction = new StunClientTransaction(TransactionId.NewRandom(), s_request, reliable: false);
        transaction.Start(TimeSpan.Zero);
        transaction.Complete();
        Assert.That(transaction.TryPollTransmit(out _), Is.False);
        Assert.That(transaction.NextTimeout, Is.Null);
        transaction.HandleTimeout(TimeSpan.FromMinutes(1));
        Assert.That(transaction.State, Is.EqualTo(StunTransactionState.Completed));
    }

    [Test]
    public void Table_CapsPendingTransactions_AndMatchesResponsesById()
    {
        var table = new StunTransactionTable<string>(capacity: 2);
        var a = new StunClientTransaction(TransactionId.NewRandom(), s_request, false);
        var b = new StunClientTransaction(TransactionId.NewRandom(), s_request, false);
        var c = new StunClientTransaction(TransactionId.NewRandom(), s_request, false);
        Assert.That(table.TryStart(a, "a", TimeSpan.Zero), Is.True);
        Assert.That(table.TryStart(b, "b", TimeSpan.Zero), Is.True);
        Assert.That(table.TryStart(c, "c", TimeSpan.Zero), Is.False);
        Assert.That(c.State, Is.EqualTo(StunTransactionState.Created));

        var sent = new List<string>();
        while (table.TryPollTransmit(out _, out var context))
        {
            sent.Add(context);
        }

        Assert.That(sent, Is.EquivalentTo(new[] { "a", "b" }));
        Assert.That(table.TryComplete(b.Id, out var done, out var doneContext), Is.True);
        Assert.That((done, doneContext), Is.EqualTo((b, "b")));
        Assert.That(table.TryComplete(b.Id, out _, out _), Is.False, "a second response for the same id matches nothing");
        Assert.That(table.TryComplete(TransactionId.NewRandom(), out _, out _), Is.False);
        Assert.That(table.TryStart(c, "c", TimeSpan.Zero), Is.True);
    }

    [Test]
    public void Table_TimedOutTransactions_AreReportedOnceAndRemoved()
    {
        var table = new StunTransactionTable<int>();
        var options = new StunRetransmissionOptions { InitialRto = TimeSpan.FromMilliseconds(10), MaxSends = 2, LastWaitMultiplier = 1 };
        var transaction = new StunClientTransaction(TransactionId.NewRandom(), s_request, false, options);
        Assert.That(table.TryStart(transaction, 7, TimeSpan.Zero), Is.True);
        var now = TimeSpan.Zero;
        for (var guard = 0; guard < 10 && table.NextTimeout is { } deadline; guard++)
        {
            now = deadline;
            table.HandleTimeout(now);
        }

        Assert.That(now, Is.EqualTo(TimeSpan.FromMilliseconds(20)));
        Assert.That(table.TryPollTimedOut(out var timedOut, out var context), Is.True);
        Assert.That((timedOut, context), Is.EqualTo((transaction, 7)));
        Assert.That(table.TryPollTimedOut(out _, out _), Is.False);
        Assert.That(table.Count, Is.Zero);
    }

    [Test]
    public void Table_DrivenOnlyThroughTheCoreContract_SendsEachTransactionOnItsOwnSchedule()
    {
        // The connection loop sees every core as IAddressedCore<T>: NextTimeout, HandleTimeout, TryPollTransmit.
        var table = new StunTransactionTable<int>();
        var fast = new StunRetransmissionOptions { InitialRto = TimeSpan.FromMilliseconds(10), MaxSends = 3, LastWaitMultiplier = 1 };
        var slow = new StunRetransmissionOptions { InitialRto = TimeSpan.FromMilliseconds(25), MaxSends = 2, LastWaitMultiplier = 1 };
        byte[] first = [0, 1, 0, 1];
        byte[] second = [0, 1, 0, 2];
        Assert.That(table.TryStart(new StunClientTransaction(TransactionId.NewRandom(), first, false, fast), 1, TimeSpan.Zero), Is.True);
        Assert.That(table.TryStart(new StunClientTransaction(TransactionId.NewRandom(), second, false, slow), 2, TimeSpan.Zero), Is.True);
        IAddressedCore<ReadOnlyMemory<byte>> core = table;

        var sends = new List<(double At, byte Which)>();
        var now = TimeSpan.Zero;
        for (var guard = 0; guard < 20; guard++)
        {
            while (core.TryPollTransmit(out var datagram))
            {
                sends.Add((now.TotalMilliseconds, datagram.Span[3]));
            }

            if (core.NextTimeout is not { } next)
            {
                break;
            }

            now = next;
            core.HandleTimeout(now);
        }

        // fast: 0, 10, 30 then fails at 40; slow: 0, 25 then fails at 50.
        Assert.That(sends.Where(s => s.Which == 1).Select(s => s.At), Is.EqualTo(new double[] { 0, 10, 30 }));
        Assert.That(sends.Where(s => s.Which == 2).Select(s => s.At), Is.EqualTo(new double[] { 0, 25 }));
        Assert.That(core.NextTimeout, Is.Null, "nothing pending once both timed out");
        Assert.That(now, Is.EqualTo(TimeSpan.FromMilliseconds(50)));
        Assert.That(table.TryPollTimedOut(out _, out var a) && table.TryPollTimedOut(out _, out var b) ? new[] { a, b } : [], Is.EquivalentTo(new[] { 1, 2 }));
    }
}
