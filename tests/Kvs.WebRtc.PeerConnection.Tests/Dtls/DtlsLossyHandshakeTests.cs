using Kvs.WebRtc.PeerConnection.Dtls;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Dtls;

/// <summary>Handshake retransmission defaults under heavy loss, on a manual clock (RFC 6347 §4.2.4.1).</summary>
[TestFixture]
public sealed class DtlsLossyHandshakeTests
{
    private const int Seeds = 40;
    private const double Loss = 0.3;

    [Test]
    public void Defaults_AreWebRtcTimers()
    {
        var options = new DtlsOptions();
        Assert.That(
            (options.InitialRetransmitTimeout, options.MaxRetransmitTimeout, options.HandshakeTimeout),
            Is.EqualTo((TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(30))));
    }

    [Test]
    public void Handshake_ThirtyPercentLossBothWays_DefaultTimers_CompletesWithinTimeoutForEverySeed()
    {
        var worst = TimeSpan.Zero;
        for (var seed = 1; seed <= Seeds; seed++)
        {
            var (connected, elapsed, failure) = LossyHandshake(new DtlsOptions(), seed);
            Assert.That(connected, Is.True, $"seed {seed}: {failure}");
            worst = elapsed > worst ? elapsed : worst;
        }

        TestContext.Out.WriteLine($"slowest handshake: {worst.TotalSeconds} s (simulated)");
        Assert.That(worst, Is.LessThan(new DtlsOptions().HandshakeTimeout));
    }

    [Test]
    public void Handshake_ThirtyPercentLossBothWays_Rfc6347Timers_SomeSeedTimesOut()
    {
        // The old defaults (1 s doubling to 60 s, 30 s budget: about 5 flights) give up on the same links.
        var rfc6347 = new DtlsOptions { InitialRetransmitTimeout = TimeSpan.FromSeconds(1), MaxRetransmitTimeout = TimeSpan.FromSeconds(60) };
        var failures = 0;
        for (var seed = 1; seed <= Seeds; seed++)
        {
            var (connected, _, _) = LossyHandshake(rfc6347, seed);
            failures += connected ? 0 : 1;
        }

        TestContext.Out.WriteLine($"failures with RFC 6347 timers: {failures}/{Seeds}");
        Assert.That(failures, Is.GreaterThan(0));
    }

    [Test]
    public void Timeout_SendsHandshakeFailureAlert()
    {
        var options = new DtlsOptions { HandshakeTimeout = TimeSpan.FromSeconds(5) };
        using var certificate = DtlsCertificate.Generate();
        using var client = new DtlsConnection(DtlsRole.Client, certificate, [certificate.Fingerprint], options);
        client.Start(TimeSpan.Zero);
        var buffer = new byte[2000];
        byte[]? last = null;
        for (var i = 0; i < 100 && client.NextTimeout is { } next; i++)
        {
            while (client.TryPollTransmit(buffer, TimeSpan.Zero, out _))
            {
            }

            client.HandleTimeout(next);
        }

        Assert.That(client.Failure!.Error, Is.EqualTo(DtlsError.Timeout));
        while (client.TryPollTransmit(buffer, TimeSpan.Zero, out var n))
        {
            last = buffer.AsSpan(0, n).ToArray();
        }

        Assert.That(last, Is.Not.Null, "an alert is queued when the handshake times out");
        Assert.That(last![0], Is.EqualTo((byte)DtlsContentType.Alert));
        Assert.That(last[^2..], Is.EqualTo(new byte[] { 2, (byte)DtlsAlertDescription.HandshakeFailure }));
    }

    [Test]
    public void Timeout_PeerReceivesAlertAndFailsInsteadOfWaiting()
    {
        // Every flight of the server after the cookie exchange is lost; the client times out first (while still at
        // epoch 0, so the server can read it) and tells the server, which then fails at once instead of waiting 60 s.
        var clientOptions = new DtlsOptions { HandshakeTimeout = TimeSpan.FromSeconds(3) };
        using var pair = new DtlsTestPair(clientOptions, new DtlsOptions { HandshakeTimeout = TimeSpan.FromSeconds(60) });
        pair.Filter = (fromClient, d) => !fromClient && pair.Server.State == DtlsState.Connecting ? null : d;
        Assert.That(pair.Handshake(1000), Is.False);
        Assert.That(pair.Client.Failure!.Error, Is.EqualTo(DtlsError.Timeout));
        Assert.That(pair.Server.State, Is.EqualTo(DtlsState.Failed));
        Assert.That(pair.Server.Failure!.Error, Is.EqualTo(DtlsError.AlertReceived));
        Assert.That(pair.Now, Is.LessThan(TimeSpan.FromSeconds(10)));
    }

    private static (bool Connected, TimeSpan Elapsed, string? Failure) LossyHandshake(DtlsOptions options, int seed)
    {
        using var pair = new DtlsTestPair(options, options);
        var random = new Random(seed);
        pair.Filter = (_, datagram) => random.NextDouble() < Loss ? null : datagram;
        var connected = pair.Handshake(5000);
        return (connected, pair.Now, pair.Client.Failure?.Message ?? pair.Server.Failure?.Message);
    }
}
