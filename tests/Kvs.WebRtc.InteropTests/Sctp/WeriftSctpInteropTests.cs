using System.Net;
using System.Text;
using Kvs.WebRtc.InteropTests.Support;
using Kvs.WebRtc.PeerConnection.Sctp;
using Kvs.WebRtc.Testing;
using NUnit.Framework;

namespace Kvs.WebRtc.InteropTests.Sctp;

/// <summary>
/// SCTP against werift's TypeScript implementation (an independent stack) over UDP on 127.0.0.1 without DTLS:
/// association setup in both directions, fragmented messages echoed back intact, and stream reset (RFC 6525).
/// </summary>
[TestFixture]
[Category("Interop")]
[NonParallelizable]
public sealed class WeriftSctpInteropTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(20);

    private static string ScriptPath => Path.Combine(RepositoryPaths.Root, "tests", "Kvs.WebRtc.InteropTests", "Sctp", "werift-sctp-peer.js");

    [Test]
    public void OurInit_WeriftServer_EchoesMessagesOfAllSizes()
    {
        var node = NodeScript.RequireWerift();
        using var peer = PeerProcess.Start(node, $"{ScriptPath} server");
        var port = peer.WaitForEvent("listening", s_timeout)["port"]!.GetValue<int>();
        using var driver = new SctpUdpTestDriver(new IPEndPoint(IPAddress.Loopback, port));
        driver.Association.Connect(driver.Now);
        Assert.That(driver.Pump(() => driver.Association.State == SctpAssociationState.Established, s_timeout), Is.True, peer.Describe());
        AssertEcho(driver, peer);
    }

    [Test]
    public void WeriftInit_BothSidesConnect_EstablishAndEcho()
    {
        var node = NodeScript.RequireWerift();
        using var driver = new SctpUdpTestDriver();
        using var peer = PeerProcess.Start(node, $"{ScriptPath} client {driver.LocalPort}");
        peer.WaitForEvent("listening", s_timeout);
        Assert.That(driver.Pump(() => driver.Association.State == SctpAssociationState.Established, s_timeout), Is.True, peer.Describe());
        AssertEcho(driver, peer);
    }

    [Test]
    public void ResetStreams_WeriftPerformsTheReset()
    {
        var node = NodeScript.RequireWerift();
        using var peer = PeerProcess.Start(node, $"{ScriptPath} server");
        var port = peer.WaitForEvent("listening", s_timeout)["port"]!.GetValue<int>();
        using var driver = new SctpUdpTestDriver(new IPEndPoint(IPAddress.Loopback, port));
        driver.Association.Connect(driver.Now);
        Assert.That(driver.Pump(() => driver.Association.State == SctpAssociationState.Established, s_timeout), Is.True, peer.Describe());
        driver.Association.Send(3, 51, "before reset"u8, false, SctpReliability.Reliable, driver.Now);
        Assert.That(driver.Pump(() => driver.Events.Any(e => e.Kind == SctpEventKind.MessageReceived), s_timeout), Is.True, peer.Describe());
        driver.Association.ResetStreams([3], driver.Now);
        Assert.That(driver.Pump(() => driver.Events.Any(e => e.Kind == SctpEventKind.OutgoingStreamReset), s_timeout), Is.True, peer.Describe());
        var reset = peer.WaitForEvent("reset", s_timeout);
        Assert.That(reset["streams"]!.AsArray().Select(n => n!.GetValue<int>()), Does.Contain(3));
    }

    private static void AssertEcho(SctpUdpTestDriver driver, PeerProcess peer)
    {
        var sizes = new[] { 1, 100, 1172, 1173, 5000, 16 * 1024, 60 * 1024 };
        var sent = new List<byte[]>();
        var random = new Random(5);
        driver.Association.Send(1, 51, "hello werift"u8, false, SctpReliability.Reliable, driver.Now);
        sent.Add("hello werift"u8.ToArray());
        for (var i = 0; i < 40; i++)
        {
            var data = new byte[sizes[i % sizes.Length]];
            random.NextBytes(data);
            Assert.That(driver.Association.Send(2, 53, data, false, SctpReliability.Reliable, driver.Now), Is.EqualTo(SctpSendStatus.Queued));
            sent.Add(data);
        }

        Assert.That(
            driver.Pump(() => driver.Events.Count(e => e.Kind == SctpEventKind.MessageReceived) >= sent.Count, s_timeout),
            Is.True,
            $"echoed {driver.Events.Count(e => e.Kind == SctpEventKind.MessageReceived)} of {sent.Count}" + peer.Describe());
        var echoed = driver.Events.Where(e => e.Kind == SctpEventKind.MessageReceived).ToList();
        Assert.That(Encoding.UTF8.GetString(echoed.Single(e => e.StreamId == 1).Data!), Is.EqualTo("hello werift"));
        var binary = echoed.Where(e => e.StreamId == 2).ToList();
        Assert.That(binary.Select(e => e.Ppid).Distinct(), Is.EqualTo(new[] { 53u }));
        for (var i = 0; i < binary.Count; i++)
        {
            Assert.That(binary[i].Data.AsSpan().SequenceEqual(sent[i + 1]), Is.True, $"message {i}");
        }
    }
}
