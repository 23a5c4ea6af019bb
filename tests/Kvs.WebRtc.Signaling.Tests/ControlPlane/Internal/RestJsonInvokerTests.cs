using Kvs.WebRtc.Signaling.ControlPlane.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;

namespace Kvs.WebRtc.Signaling.Tests.ControlPlane.Internal;

[TestFixture]
public sealed class RestJsonInvokerTests
{
    [TestCase(0, 0.0, 50)]
    [TestCase(0, 0.999999, 100)]
    [TestCase(3, 0.0, 400)]
    [TestCase(3, 0.999999, 800)]
    [TestCase(10, 0.0, 2500)]
    [TestCase(10, 0.999999, 5000)]
    public void GetRetryDelay_Retry_IsHalfToFullOfCappedExponential(int retry, double jitter, double expectedMs)
    {
        using var handler = new FakeHttpMessageHandler(_ => FakeHttpMessageHandler.Json("{}"));
        using var invoker = new RestJsonInvoker(
            new Kvs.WebRtc.Signaling.ControlPlane.KinesisVideoClientOptions(ControlPlaneTestSupport.Options(handler)) { RetryBaseDelay = TimeSpan.FromMilliseconds(100), RetryMaxDelay = TimeSpan.FromSeconds(5) },
            NullLogger.Instance)
        {
            Jitter = () => jitter,
        };

        Assert.That(invoker.GetRetryDelay(retry).TotalMilliseconds, Is.EqualTo(expectedMs).Within(0.1));
    }
}
