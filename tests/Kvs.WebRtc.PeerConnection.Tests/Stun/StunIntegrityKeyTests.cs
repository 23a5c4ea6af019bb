using Kvs.WebRtc.PeerConnection.Stun;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Stun;

[TestFixture]
public sealed class StunIntegrityKeyTests
{
    [Test]
    public void VerifyMessageIntegrity_Rfc5769Vectors_AgreeWithOneShotKeys()
    {
        using var shortTerm = StunIntegrityKey.FromShortTermPassword(Rfc5769Vectors.Password);
        foreach (var bytes in new[] { Rfc5769Vectors.Request, Rfc5769Vectors.ResponseIPv4, Rfc5769Vectors.ResponseIPv6 })
        {
            Assert.That(StunMessage.TryParse(bytes, out var message, out _), Is.True);
            Assert.That(message.VerifyMessageIntegrity(shortTerm), Is.True);
            Assert.That(message.VerifyMessageIntegrity(shortTerm), Is.True, "state is reset between messages");
        }

        using var longTerm = StunIntegrityKey.FromLongTermCredentials(Rfc5769Vectors.LongTermUsername, Rfc5769Vectors.LongTermRealm, Rfc5769Vectors.LongTermPassword);
        Assert.That(StunMessage.TryParse(Rfc5769Vectors.LongTermRequest, out var request, out _), Is.True);
        Assert.That(request.VerifyMessageIntegrity(longTerm), Is.True);
        using var wrong = StunIntegrityKey.FromShortTermPassword("wrong");
        Assert.That(request.VerifyMessageIntegrity(wrong), Is.False);
    }

    [Test]
    public void Writer_WithKeyObject_ProducesSameBytesAsSpanKey()
    {
        using var key = StunIntegrityKey.FromShortTermPassword("pwd");
        var id = TransactionId.NewRandom();
        var a = new byte[128];
        var b = new byte[128];
        var wa = new StunMessageWriter(a, StunMessageType.BindingRequest, id);
        wa.AddUsername("x:y");
        wa.AddMessageIntegrity(key);
        wa.AddMessageIntegritySha256(key);
        wa.AddFingerprint();
        var wb = new StunMessageWriter(b, StunMessageType.BindingRequest, id);
        wb.AddUsername("x:y");
        wb.AddMessageIntegrity("pwd"u8);
        wb.AddMessageIntegritySha256("pwd"u8);
        wb.AddFingerprint();
        Assert.That(wa.Written.ToArray(), Is.EqualTo(wb.Written.ToArray()));
    }

    [Test]
    public void VerifyMessageIntegrity_ConcurrentCallers_AllSucceed()
    {
        using var key = StunIntegrityKey.FromShortTermPassword(Rfc5769Vectors.Password);
        var bytes = Rfc5769Vectors.Request;
        var failures = 0;
        Parallel.For(0, 2_000, new ParallelOptions { MaxDegreeOfParallelism = 4 }, iteration =>
        {
            if (!(StunMessage.TryParse(bytes, out var message, out _) && message.VerifyMessageIntegrity(key)))
            {
                Interlocked.Increment(ref failures);
            }
        });
        Assert.That(failures, Is.Zero);
    }

    [Test]
    public void VerifyMessageIntegrity_WithKeyObject_DoesNotAllocate()
    {
        using var key = StunIntegrityKey.FromShortTermPassword(Rfc5769Vectors.Password);
        var bytes = Rfc5769Vectors.Request;
        _ = Verify(bytes, key);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var ok = true;
        for (var i = 0; i < 100; i++)
        {
            ok &= Verify(bytes, key);
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
        Assert.That(ok, Is.True);
    }

    [Test]
    public void ToString_AndDispose_HideAndZeroTheKey()
    {
        var key = StunIntegrityKey.FromShortTermPassword("hunter2");
        Assert.That(key.ToString(), Does.Not.Contain("hunter2"));
        key.Dispose();
        Assert.Throws<ObjectDisposedException>(() => _ = key.Bytes.Length);
    }

    private static bool Verify(byte[] bytes, StunIntegrityKey key) =>
        StunMessage.TryParse(bytes, out var message, out _) && message.VerifyMessageIntegrity(key);
}
