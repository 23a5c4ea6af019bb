using System.Text.Json.Nodes;
using Kvs.WebRtc.InteropTests.Support;
using NUnit.Framework;

namespace Kvs.WebRtc.InteropTests.Firefox;

/// <summary>
/// The Firefox harness on its own: the page is on a loopback origin, ICE gathering completes with a 127.0.0.1 host
/// candidate (the part that needs the persistent camera/microphone permission), the fake camera and microphone feed
/// an offer, and arbitrary JavaScript evaluates in the page.
/// </summary>
[TestFixture]
[Category("Interop")]
[NonParallelizable]
public sealed class FirefoxHarnessTests
{
    [Test]
    public async Task FakeCameraAndMicrophone_OfferGathersLoopbackCandidate_AndCarriesOpusAndVp8()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        var ct = cts.Token;
        var firefox = FirefoxSetUp.Firefox;
        Assert.That(firefox.Origin, Does.StartWith("http://127.0.0.1:"));
        Assert.That(firefox.Version, Does.StartWith("firefox/"));
        Assert.That((bool?)await firefox.EvaluateAsync("window.isSecureContext && !!navigator.mediaDevices", ct), Is.True);

        await firefox.CreatePeerConnectionAsync(ct);
        var kinds = await firefox.AddFakeMediaAsync(ct);
        Assert.That(kinds, Is.EquivalentTo(new[] { "audio", "video" }));
        var offer = await firefox.CreateOfferAsync(ct);

        Assert.That(offer, Does.Contain("m=audio ").And.Contain("m=video ").And.Contain("a=sendrecv"));
        Assert.That(offer, Does.Contain("opus/48000/2").And.Contain("VP8/90000"));
        var candidates = offer.Split("\r\n").Where(l => l.StartsWith("a=candidate:", StringComparison.Ordinal)).ToList();
        Assert.That(candidates.Where(FirefoxPeer.IsLoopbackUdpCandidate), Is.Not.Empty, offer);
        Assert.That(candidates, Has.None.Contain(".local"), "no mDNS names once the origin holds camera/microphone permission");
        var state = await firefox.GetStateAsync(ct);
        Assert.That((string?)state["iceGathering"], Is.EqualTo("complete"));
        var senders = await firefox.EvaluateAsync("window.ff.pc.getSenders().map(s => s.track && s.track.readyState)", ct);
        Assert.That(((JsonArray)senders!).Select(s => (string?)s), Is.All.EqualTo("live"));
    }
}
