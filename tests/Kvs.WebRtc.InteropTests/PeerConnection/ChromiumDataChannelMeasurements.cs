using System.Diagnostics;
using System.Globalization;
using Kvs.WebRtc.InteropTests.Support;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.Testing;
using NUnit.Framework;

namespace Kvs.WebRtc.InteropTests.PeerConnection;

/// <summary>
/// The end-to-end figures the benchmarks project cannot take (it has no Playwright): Chromium↔Chromium (two peers in one
/// page) and ours→Chromium on loopback — createOffer→open time, one-way MB/s with 64 KiB messages, msg/s with 1 KiB
/// messages. Figures go to the test output; the assertions only check that every message arrived. The ours↔ours
/// figures come from <c>benchmarks/Kvs.WebRtc.Benchmarks/PeerConnection</c>.
/// </summary>
[TestFixture]
[Category("Interop")]
[Category("Measurement")]
[NonParallelizable]
public sealed class ChromiumDataChannelMeasurements
{
    private const int BulkSize = 64 * 1024;
    private const int BulkCount = 300;
    private const int SmallSize = 1024;
    private const int SmallCount = 20_000;

    private const string ChromiumPairJs = """
        async ([bulkSize, bulkCount, smallSize, smallCount]) => {
            const a = new RTCPeerConnection({ iceServers: [] }), b = new RTCPeerConnection({ iceServers: [] });
            a.onicecandidate = e => e.candidate && b.addIceCandidate(e.candidate);
            b.onicecandidate = e => e.candidate && a.addIceCandidate(e.candidate);
            const t0 = performance.now();
            const ch = a.createDataChannel('bench');
            const remote = new Promise(r => b.ondatachannel = e => r(e.channel));
            await a.setLocalDescription(await a.createOffer());
            await b.setRemoteDescription(a.localDescription);
            await b.setLocalDescription(await b.createAnswer());
            await a.setRemoteDescription(b.localDescription);
            await new Promise(r => ch.onopen = r);
            const rc = await remote;
            const openMs = performance.now() - t0;
            const run = async (size, count) => {
                const payload = new Uint8Array(size);
                let got = 0;
                const done = new Promise(r => rc.onmessage = () => { if (++got === count) r(); });
                ch.bufferedAmountLowThreshold = size * 4;
                const start = performance.now();
                for (let i = 0; i < count; i++) {
                    while (ch.bufferedAmount > size * 16) await new Promise(r => ch.onbufferedamountlow = r);
                    ch.send(payload);
                }
                await done;
                return performance.now() - start;
            };
            const bulkMs = await run(bulkSize, bulkCount);
            const smallMs = await run(smallSize, smallCount);
            a.close(); b.close();
            return [openMs, bulkMs, smallMs];
        }
        """;

    private const string ReceiverJs = """
        async (count) => { window.got = 0; window.done = new Promise(r => { window.finish = r; });
            // Our side may see the channel open before Chromium's ondatachannel has run: wait (bounded) for it.
            for (let i = 0; i < 200 && Object.values(window.chans || {}).length === 0; i++) await new Promise(r => setTimeout(r, 50));
            const ch = Object.values(window.chans)[0]; ch.onmessage = () => { if (++window.got === count) window.finish(); }; }
        """;

    [Test]
    public async Task ChromiumToChromium_InOnePage_Figures()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var page = await ChromiumPage.LaunchAsync(cts.Token);
        var figures = await page.EvaluateAsync<double[]>(ChromiumPairJs, new[] { BulkSize, BulkCount, SmallSize, SmallCount });
        Report("Chromium<->Chromium", figures[0], figures[1], figures[2]);
        Assert.That(figures, Has.Length.EqualTo(3).And.All.GreaterThan(0));
    }

    [Test]
    public async Task OursToChromium_Figures()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = cts.Token;
        await using var page = await ChromiumPage.LaunchAsync(ct);
        var chromium = await ChromiumEchoPage.CreateAsync(page);
        await using var ours = new RTCPeerConnection(new RTCConfiguration { IncludeLoopbackCandidates = true, EnableIpv6 = false, HostAddresses = [System.Net.IPAddress.Loopback] });
        var start = Stopwatch.GetTimestamp();
        var channel = ours.CreateDataChannel("bench");
        await chromium.WeOfferAsync(ours, string.Empty, ct);
        await PeerConnectionWaits.WaitOpenAsync(channel, ct);
        var openMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;

        var bulkMs = await SendAsync(page, channel, BulkSize, BulkCount, ct);
        var smallMs = await SendAsync(page, channel, SmallSize, SmallCount, ct);
        Report("ours->Chromium (ours offers, full SDP after gathering)", openMs, bulkMs, smallMs);
        Assert.That(await page.EvaluateAsync<int>("() => window.got"), Is.EqualTo(SmallCount));
    }

    private static async Task<double> SendAsync(ChromiumPage page, Kvs.WebRtc.PeerConnection.DataChannels.RTCDataChannel channel, int size, int count, CancellationToken ct)
    {
        await page.EvaluateAsync(ReceiverJs, count);
        var payload = new byte[size];
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            await channel.SendAsync(payload, ct);
        }

        await page.EvaluateAsync("() => window.done").WaitAsync(ct);
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    private static void Report(string pair, double openMs, double bulkMs, double smallMs)
    {
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{pair}: open {openMs:F1} ms; 64 KiB x{BulkCount}: {(double)BulkSize * BulkCount / (bulkMs / 1000) / 1e6:F1} MB/s; 1 KiB x{SmallCount}: {SmallCount / (smallMs / 1000):F0} msg/s");
        TestContext.Progress.WriteLine(line);
        TestContext.Out.WriteLine(line);
    }
}
