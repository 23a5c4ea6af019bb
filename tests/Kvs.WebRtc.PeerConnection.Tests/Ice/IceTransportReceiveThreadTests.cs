using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Kvs.WebRtc.PeerConnection.Ice;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Ice;

/// <summary>The dedicated receive threads and synchronous sends of <see cref="IceTransport"/>.</summary>
[TestFixture]
public sealed class IceTransportReceiveThreadTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(15);

    [TestCase(-1, 0)]
    [TestCase(0, -1)]
    public void Validate_NegativeSocketBufferSize_Throws(int receive, int send) =>
        Assert.Throws<ArgumentException>(() => new IceTransportOptions { SocketReceiveBufferSize = receive, SocketSendBufferSize = send }.Validate());

    [Test]
    public void Validate_ZeroSocketBufferSizes_KeepOsDefaultsAndAreAccepted() =>
        Assert.DoesNotThrow(() => new IceTransportOptions { SocketReceiveBufferSize = 0, SocketSendBufferSize = 0 }.Validate());

    [Test]
    public async Task ThrowingDataReceiver_DoesNotStopLaterDatagrams()
    {
        var (a, b) = await ConnectedPairAsync();
        await using (a)
        await using (b)
        {
            var received = new ConcurrentQueue<byte>();
            b.DataReceiver = d =>
            {
                received.Enqueue(d[^1]);
                if (d[^1] == 1)
                {
                    throw new InvalidOperationException("handler bug");
                }
            };

            // DTLS-looking datagrams (first byte 22) are handed to the receiver; the first one makes it throw.
            for (byte i = 1; i <= 3; i++)
            {
                await a.SendAsync(new byte[] { 22, 254, 253, i });
            }

            var deadline = Stopwatch.StartNew();
            while (received.Count < 3 && deadline.Elapsed < s_timeout)
            {
                await Task.Delay(10);
            }

            Assert.That(received, Is.EqualTo(new byte[] { 1, 2, 3 }), "datagrams after a throwing handler still arrive, in order");
        }
    }

    [Test]
    public async Task Dispose_StartedTransport_CompletesPromptly()
    {
        var (a, b) = await ConnectedPairAsync();
        await b.DisposeAsync();
        var stopwatch = Stopwatch.StartNew();
        await a.DisposeAsync().AsTask().WaitAsync(s_timeout);
        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), "disposal is bounded by the receive timeout, not hung");
    }

    private static async Task<(IceTransport A, IceTransport B)> ConnectedPairAsync()
    {
        var loopback = new[] { IPAddress.Loopback };
        var a = new IceTransport(new IceTransportOptions { Role = IceRole.Controlling, HostAddresses = loopback });
        var b = new IceTransport(new IceTransportOptions { Role = IceRole.Controlled, HostAddresses = loopback });
        _ = IceTransportTests.Wire(a, b);
        _ = IceTransportTests.Wire(b, a);
        await a.StartAsync();
        await b.StartAsync();
        a.SetRemoteCredentials(b.LocalCredentials);
        b.SetRemoteCredentials(a.LocalCredentials);
        using var cts = new CancellationTokenSource(s_timeout);
        static bool Up(IceConnectionState s) => s is IceConnectionState.Connected or IceConnectionState.Completed;
        await Task.WhenAll(a.WaitForStateAsync(Up, cts.Token), b.WaitForStateAsync(Up, cts.Token));
        return (a, b);
    }
}
