using Kvs.WebRtc.InteropTests.Support;
using NUnit.Framework;

namespace Kvs.WebRtc.InteropTests.Chromium;

/// <summary>The Chromium harness itself: the WebRTC interop tests rely on loopback host candidates appearing.</summary>
[TestFixture]
[CancelAfter(120_000)]
public sealed class ChromiumHarnessTests
{
    [Test]
    public async Task Chromium_GathersPlainLoopbackHostCandidates(CancellationToken cancellationToken)
    {
        await using var page = await ChromiumPage.LaunchAsync(cancellationToken);

        var candidates = await page.EvaluateAsync<string[]>(
            """
            async () => {
              const pc = new RTCPeerConnection({ iceServers: [] });
              pc.createDataChannel('probe');
              const found = [];
              const done = new Promise(resolve => {
                pc.onicecandidate = e => { if (e.candidate) found.push(e.candidate.candidate); else resolve(); };
                setTimeout(resolve, 10000);
              });
              await pc.setLocalDescription(await pc.createOffer());
              await done;
              pc.close();
              return found;
            }
            """);

        Assert.That(candidates, Has.Some.Contains(" 127.0.0.1 ").And.Some.Contains(" typ host"),
            "Chromium must gather a plain 127.0.0.1 host candidate (no mDNS name) for loopback interop");
        Assert.That(candidates, Has.None.Contains(".local "), "mDNS obfuscation must be disabled");
    }
}
